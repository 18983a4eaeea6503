public import ChainbotCore

/// Confirm-or-revert for a firewall load, surviving chainbot's death.
///
/// Before loading, chainbot writes the ruleset to go back to and a `pending-TOKEN` marker into
/// `directory`, and starts a watchdog in a session of its own (under systemd, in a scope unit of its own,
/// so stopping or crashing the agent's service does not take it along). The watchdog writes `armed-TOKEN`
/// and waits. Whoever renames `pending-TOKEN` first wins: chainbot confirming (rename to
/// `confirmed-TOKEN`) or the watchdog at the deadline (rename to `reverting-TOKEN`, then `nft -f` the saved
/// ruleset). So a chainbot killed between load and confirm is reverted within the timeout, and a confirm
/// that comes too late learns the rules were reverted.
public struct FirewallGuard: Sendable {
    /// Where the markers and saved rulesets live (`/run/chainbot/firewall`: gone after a reboot, which
    /// also drops the kernel's ruleset).
    public var directory: String
    /// The watchdog's argv prefixes, tried in order until one reports itself armed; the guard appends
    /// `--dir D --token T --timeout-ms N -- RESTORE-ARGV… FILE`.
    public var watchdog: [[String]]
    let launcher: any BackgroundLauncher
    /// The filesystem `directory` is on (the live host's: the watchdog reads the same paths).
    let fileSystem: any HostFileSystem
    /// The clock the waits for the watchdog run on.
    let clock: any Clock<Duration>

    /// How long a started watchdog has to report itself armed: a process start on a loaded Pi can take
    /// seconds, and a watchdog that never arms costs only this wait (nothing is loaded without one).
    static let armingLimit: Duration = .seconds(30)

    public init(
        directory: String, watchdog: [[String]], launcher: any BackgroundLauncher, fileSystem: any HostFileSystem,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.directory = directory
        self.watchdog = watchdog
        self.launcher = launcher
        self.fileSystem = fileSystem
        self.clock = clock
    }

    /// An armed revert: the token, the watchdog's pid.
    public struct Armed: Sendable {
        public var token: String
        public var process: any BackgroundProcess
    }

    /// Saves `revert` and starts the watchdog that restores it (with `restore` + the file path) unless
    /// confirmed within `timeout`; waits until the watchdog reports itself armed.
    public func arm(revert: String, restore: [String], timeout: Duration) async throws(ProviderError) -> Armed {
        try makeDirectory()
        let token = Self.newToken()
        let revertPath = path("revert", token)
        try write(revertPath, revert)
        try write(path("pending", token), "deadline in \(DurationText.format(timeout))\n")
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        var problems: [String] = []
        for prefix in watchdog where !prefix.isEmpty {
            let arguments =
                Array(prefix.dropFirst()) + [
                    "--dir", directory, "--token", token, "--timeout-ms", String(milliseconds), "--",
                ] + restore + [revertPath]
            let process: any BackgroundProcess
            do {
                process = try launcher.launch(prefix[0], arguments, logPath: directory + "/watchdog.log")
            } catch {
                problems.append("\(error)")
                continue
            }
            if await reportsArmed(token, process) { return Armed(token: token, process: process) }
            process.terminate()
            problems.append("'\(prefix.joined(separator: " "))' did not report itself armed")
        }
        cleanUp(token)
        throw ProviderError(
            "cannot start the firewall revert watchdog; nothing was loaded",
            detail: (problems + [Self.tail(of: directory + "/watchdog.log", in: fileSystem)]).joined(separator: "\n"))
    }

    /// Waits until the watchdog wrote `armed-TOKEN`, at most `armingLimit`; false when it exited first.
    private func reportsArmed(_ token: String, _ process: any BackgroundProcess) async -> Bool {
        let armed = path("armed", token)
        let fileSystem = self.fileSystem
        func isArmed() -> Bool { ((try? fileSystem.info(armed)) ?? nil) != nil }
        _ = await MarkerPoll.wait(on: clock, every: .milliseconds(10), for: Self.armingLimit) {
            isArmed() || process.hasExited()
        }
        return isArmed()
    }

    /// Claims the pending load for chainbot: true when confirmed in time, false when the watchdog had
    /// already taken it (and reverted).
    public func confirm(_ armed: Armed) -> Bool {
        let won = claim(armed.token, as: "confirmed")
        if won {
            try? fileSystem.remove(path("confirmed", armed.token))
            // Its work is void now: stop it rather than wait for its next poll, and reap it.
            armed.process.stop()
            cleanUp(armed.token)
        }
        return won
    }

    /// Claims the pending load to revert it now; false when the watchdog already took it.
    public func claimForRevert(_ armed: Armed) -> Bool {
        let won = claim(armed.token, as: "reverting")
        if won { armed.process.stop() }
        return won
    }

    /// Renames `pending-TOKEN` to `PREFIX-TOKEN`: whoever does it first wins.
    func claim(_ token: String, as prefix: String) -> Bool {
        (try? fileSystem.rename(path("pending", token), to: path(prefix, token))) == true
    }

    /// Removes every file of `token`.
    public func cleanUp(_ token: String) {
        for prefix in ["pending", "armed", "revert", "reverting", "confirmed"] {
            try? fileSystem.remove(path(prefix, token))
        }
    }

    func path(_ prefix: String, _ token: String) -> String {
        "\(directory)/\(prefix)-\(token)" + (prefix == "revert" ? ".nft" : "")
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return SHA256.hex((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Creates `directory` (and what is missing above it) with mode 0700.
    func makeDirectory() throws(ProviderError) {
        try fileSystem.makeDirectory(directory, mode: 0o700)
    }

    /// Writes `text` to `path` (mode 0600), atomically.
    func write(_ path: String, _ text: String) throws(ProviderError) {
        try fileSystem.write(FileWrite(path: path, content: Array(text.utf8), mode: 0o600))
    }

    /// The last 2000 characters of the watchdog's log, for an error's detail: read only when it is a
    /// regular file (opened without blocking, so a FIFO put there cannot stall chainbot), and only its
    /// last 8 KiB however large it grew.
    static func tail(of path: String, in fileSystem: any HostFileSystem) -> String {
        guard let bytes = (try? fileSystem.readTail(path, limit: 8192)) ?? nil else { return "" }
        return String(String(decoding: bytes, as: UTF8.self).suffix(2000))
    }
}
