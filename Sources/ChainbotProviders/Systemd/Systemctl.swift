import ChainbotCore

/// Runs `systemctl` (and `journalctl` for failure context) through the command runner, argv only, and
/// turns failures into `ProviderError`s that name the command and quote its output.
struct Systemctl: Sendable {
    /// The program run; looked up in `PATH`.
    static let executable = "systemctl"
    /// How long `start`, `stop` and `restart` may block: past systemd's default 90 s start/stop timeout,
    /// so systemd reports its own timeout first.
    static let jobTimeout: Duration = .seconds(120)
    /// How long other verbs (`enable`, `daemon-reload`, `show`) may take.
    static let quickTimeout: Duration = .seconds(60)
    /// How many journal lines a failed start or restart carries.
    static let journalLines = 15

    let runner: any CommandRunner

    /// Runs `systemctl ARGUMENTS…`; throws unless it exits with status 0. `summary` names the command in
    /// the message (the full command line when nil, else in the detail).
    @discardableResult
    func run(_ arguments: [String], timeout: Duration, summary: String? = nil) async throws(ProviderError)
        -> CommandResult
    {
        let invocation = CommandInvocation(Self.executable, arguments, timeout: timeout)
        let name = summary ?? invocation.description
        let context = summary == nil ? "" : "command: \(invocation.description)\n"
        let result: CommandResult
        do {
            result = try await runner.run(invocation)
        } catch {
            throw ProviderError(
                "\(name) failed: \(Self.reason(error))", detail: context, retryable: Self.retryable(error),
                code: ProviderError.Code(error))
        }
        guard result.succeeded else {
            let errorText = Self.trimmed(result.errorOutput)
            let firstLine = errorText.split(separator: "\n").first.map(String.init) ?? Self.status(result.termination)
            throw ProviderError(
                "\(name) failed: \(firstLine)", detail: context + errorText, retryable: true, code: .commandFailed)
        }
        return result
    }

    /// The last lines of the unit's journal (`journalctl -u UNIT -n 15 --no-pager -o cat`), or an empty list
    /// when they cannot be read; used only to explain another failure.
    func journal(_ unit: String) async -> [String] {
        let arguments = ["-u", unit, "-n", "\(Self.journalLines)", "--no-pager", "-o", "cat"]
        func read() async -> [String] {
            guard let result = try? await runner.run(CommandInvocation("journalctl", arguments, timeout: .seconds(10))),
                result.succeeded
            else { return [] }
            return result.output.split(separator: "\n").suffix(Self.journalLines).map(String.init)
        }
        let first = await read()
        // The service's own last words (an exec error, a traceback) can reach journald after systemd's
        // "Failed to start"; on a busy machine, look once more a moment later.
        guard first.count < 6 else { return first }
        try? await Task.sleep(for: .milliseconds(300))
        let second = await read()
        return second.count > first.count ? second : first
    }

    /// The text without leading and trailing newlines and spaces.
    static func trimmed(_ text: String) -> String {
        let isBlank: (Character) -> Bool = { $0 == "\n" || $0 == " " || $0 == "\t" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }

    private static func status(_ termination: CommandResult.Termination) -> String {
        switch termination {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }

    private static func reason(_ error: CommandError) -> String {
        switch error {
        case .launchFailed(_, let reason): "cannot run \(executable): \(reason)"
        case .timedOut(_, let after): "did not finish within \(after) and was killed"
        case .outputLimitExceeded(_, let stream, let limit): "wrote more than \(limit) bytes to \(stream)"
        case .ioFailed(_, let reason): "lost contact with \(executable): \(reason)"
        }
    }

    private static func retryable(_ error: CommandError) -> Bool {
        if case .launchFailed = error { return false }
        return true
    }
}
