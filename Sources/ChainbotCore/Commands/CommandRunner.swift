/// A program to run: an executable and its argv, never a shell string.
public struct CommandInvocation: Sendable, Hashable, CustomStringConvertible {
    /// An absolute path, or a bare name looked up in `PATH`.
    public var executable: String
    public var arguments: [String]
    /// Extra variables on top of the caller's environment (nil: inherit unchanged).
    public var environment: [String: String]?
    /// Bytes written to the child's standard input, then closed (nil: /dev/null).
    public var standardInput: [UInt8]?
    /// How long the child may run before it is killed (SIGTERM, then SIGKILL).
    public var timeout: Duration

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        standardInput: [UInt8]? = nil, timeout: Duration = .seconds(30)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.timeout = timeout
    }

    /// The command line as a person would type it, for error messages (arguments quoted when needed).
    public var description: String {
        ([executable] + arguments).map { arg in
            arg.isEmpty || arg.contains(where: { " \t\n'\"\\$`".contains($0) })
                ? "'" + arg.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
                : arg
        }.joined(separator: " ")
    }
}

/// What a finished child left behind.
public struct CommandResult: Sendable, Hashable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var termination: Termination
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]

    public init(termination: Termination, standardOutput: [UInt8] = [], standardError: [UInt8] = []) {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// True when the child exited with status 0.
    public var succeeded: Bool { termination == .exited(0) }

    /// Standard output decoded as UTF-8 (invalid bytes repaired).
    public var output: String { String(decoding: standardOutput, as: UTF8.self) }

    /// Standard error decoded as UTF-8 (invalid bytes repaired).
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
}

/// Why a child could not be run to completion.
public enum CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The executable was not found or could not be spawned: the errno's text, and the errno itself for
    /// decisions (ENOENT: no such executable).
    case launchFailed(command: String, reason: Reason)
    /// The child ran past its timeout and was killed.
    case timedOut(command: String, after: Duration)
    /// The child wrote more than `limit` bytes to one stream (`stream` names it) and was killed.
    case outputLimitExceeded(command: String, stream: String, limit: Int)
    /// Talking to the running child through its pipes failed (errno text included); the child was killed.
    case ioFailed(command: String, reason: String)

    public var description: String {
        switch self {
        case .launchFailed(let command, let reason): "cannot run '\(command)': \(reason)"
        case .timedOut(let command, let after): "'\(command)' did not finish within \(after) and was killed"
        case .outputLimitExceeded(let command, let stream, let limit):
            "'\(command)' wrote more than \(limit) bytes to \(stream) and was killed"
        case .ioFailed(let command, let reason): "lost contact with '\(command)': \(reason)"
        }
    }
}

/// Runs child processes; the one seam between chainbot and host tools such as `systemctl`, `nft`, `git`.
public protocol CommandRunner: Sendable {
    /// Runs `invocation` to completion, draining its output while it runs.
    func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult
}
