/// One `chainbot` subcommand: its name, help text, options and what it does.
struct Command: Sendable {
    /// The word after `chainbot`.
    let name: String
    /// One line for `chainbot --help`.
    let summary: String
    /// The synopsis after "usage:".
    let usage: String
    /// What `chainbot help NAME` prints below the usage.
    let help: String
    /// Value options by each spelling → canonical name.
    var valued: [String: String] = [:]
    /// Flags by each spelling → canonical name.
    var switches: [String: String] = [:]
    let run: @Sendable (Arguments, CommandContext) async -> ExitCode

    /// Usage and help, as `chainbot help NAME` prints them.
    var manual: String {
        "usage: \(usage)\n\n\(help)\n"
    }
}
