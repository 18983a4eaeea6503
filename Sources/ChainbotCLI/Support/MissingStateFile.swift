import ChainbotCore
import Glibc

/// What the reading commands (`status`, `get`, `events`, `history`) do when there is no state file:
/// one behaviour for all four (issue 18). A one-line hint on stderr naming the path, exit 2, and with
/// `-o json` a JSON document on stdout all the same:
/// `{"schemaVersion": 1, "stateFile": PATH, "exists": false, "message": HINT}`.
enum MissingStateFile {
    /// The hint, without the `chainbot COMMAND: ` prefix.
    static func hint(_ path: String) -> String {
        "no state file at \(path): nothing has been applied here yet (chainbot apply, or start the agent), "
            + "or give --state/--root"
    }

    /// The JSON document printed for `-o json`.
    static func json(_ path: String) -> JSONValue {
        .object([
            ("schemaVersion", .int(1)), ("stateFile", .string(path)), ("exists", .bool(false)),
            ("message", .string(hint(path))),
        ])
    }

    /// Reports a missing state file for `command` and returns the exit code, or nil when the file exists.
    static func check(_ path: String, command: String, json: Bool, _ context: CommandContext) -> ExitCode? {
        guard access(path, F_OK) != 0 else { return nil }
        context.stderr.write("chainbot \(command): \(hint(path))\n")
        if json { context.stdout.write(self.json(path).serialized(pretty: true) + "\n") }
        return .failure
    }
}
