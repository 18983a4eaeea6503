import ChainbotCLI

/// What one in-process `chainbot` run left behind.
struct CLIRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the CLI in-process with captured output, for golden tests of what a user sees.
enum CLIHarness {
    /// Runs `chainbot ARGUMENTS` with `environment`; `terminal` pretends stdout and stderr are TTYs.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], terminal: Bool = false
    ) async -> CLIRun {
        let stdout = OutputSink.buffer(isTerminal: terminal)
        let stderr = OutputSink.buffer(isTerminal: terminal)
        let status = await ChainbotCLI.run(
            arguments, context: CommandContext(stdout: stdout, stderr: stderr, environment: environment))
        return CLIRun(status: status, stdout: stdout.text, stderr: stderr.text)
    }
}
