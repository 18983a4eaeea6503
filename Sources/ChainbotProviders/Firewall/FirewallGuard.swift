public import ChainbotCore
import Glibc

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

    public init(directory: String, watchdog: [[String]], launcher: any BackgroundLauncher) {
        self.directory = directory
        self.watchdog = watchdog
        self.launcher = launcher
    }

    /// An armed revert: the token, the watchdog's pid.
    public struct Armed: Sendable {
        public var token: String
        public var process: any BackgroundProcess
    }

    /// Saves `revert` and starts the watchdog that restores it (with `restore` + the file path) unless
    /// confirmed within `timeout`; waits until the watchdog reports itself armed.
    public func arm(revert: String, restore: [String], timeout: Duration) throws(ProviderError) -> Armed {
        try Self.makeDirectory(directory)
        let token = Self.newToken()
        let revertPath = path("revert", token)
        try Self.writeFile(revertPath, revert)
        try Self.writeFile(path("pending", token), "deadline in \(DurationText.format(timeout))\n")
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
            let deadline = ContinuousClock.now + .seconds(5)
            var armed = true
            while access(path("armed", token), F_OK) != 0 {
                if ContinuousClock.now >= deadline || process.hasExited() {
                    process.terminate()
                    problems.append("'\(prefix.joined(separator: " "))' did not report itself armed")
                    armed = false
                    break
                }
                usleep(10_000)
            }
            if armed { return Armed(token: token, process: process) }
        }
        cleanUp(token)
        throw ProviderError(
            "cannot start the firewall revert watchdog; nothing was loaded",
            detail: (problems + [Self.tail(of: directory + "/watchdog.log")]).joined(separator: "\n"))
    }

    /// Claims the pending load for chainbot: true when confirmed in time, false when the watchdog had
    /// already taken it (and reverted).
    public func confirm(_ armed: Armed) -> Bool {
        let won = rename(path("pending", armed.token), path("confirmed", armed.token)) == 0
        if won {
            unlink(path("confirmed", armed.token))
            // Its work is void now: stop it rather than wait for its next poll, and reap it.
            armed.process.stop()
            cleanUp(armed.token)
        }
        return won
    }

    /// Claims the pending load to revert it now; false when the watchdog already took it.
    public func claimForRevert(_ armed: Armed) -> Bool {
        let won = rename(path("pending", armed.token), path("reverting", armed.token)) == 0
        if won { armed.process.stop() }
        return won
    }

    /// Removes every file of `token`.
    public func cleanUp(_ token: String) {
        for prefix in ["pending", "armed", "revert", "reverting", "confirmed"] { unlink(path(prefix, token)) }
    }

    func path(_ prefix: String, _ token: String) -> String {
        "\(directory)/\(prefix)-\(token)" + (prefix == "revert" ? ".nft" : "")
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return SHA256.hex((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func makeDirectory(_ directory: String) throws(ProviderError) {
        var prefix = ""
        for part in directory.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw ProviderError("cannot create \(prefix): \(Self.errorText(errno))")
            }
        }
    }

    static func writeFile(_ path: String, _ text: String) throws(ProviderError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ProviderError("cannot write \(path): \(Self.errorText(errno))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ProviderError("cannot write \(path): \(Self.errorText(errno))")
            }
            offset += written
        }
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The last 2000 characters of the watchdog's log, for an error's detail: read only when it is a
    /// regular file (opened without blocking, so a FIFO put there cannot stall chainbot), and only its
    /// last 8 KiB however large it grew.
    static func tail(of path: String) -> String {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return "" }
        let window = 8192
        if status.st_size > window { lseek(fd, off_t(status.st_size) - off_t(window), SEEK_SET) }
        var bytes = [UInt8](repeating: 0, count: window)
        var filled = 0
        while filled < window {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + filled }, window - filled) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        return String(String(decoding: bytes[..<filled], as: UTF8.self).suffix(2000))
    }
}
