public import ChainbotCore
import Glibc

/// The revert watchdog's side of `FirewallGuard`: runs in its own process (`chainbot firewall-watchdog`).
public enum FirewallWatchdog {
    public enum Outcome: Sendable, Hashable {
        /// chainbot confirmed the load in time.
        case confirmed
        /// Not confirmed in time: the saved ruleset was restored.
        case reverted
        /// Not confirmed in time, and restoring failed (the command's output).
        case revertFailed(String)
    }

    /// Reports itself armed, then waits for chainbot's confirmation until `timeout`; at the deadline claims
    /// the pending load and runs `restore` (argv, e.g. `nft -f FILE`).
    public static func watch(
        directory: String, token: String, timeout: Duration, restore: [String], runner: any CommandRunner
    ) async -> Outcome {
        let guardFiles = FirewallGuard(directory: directory, watchdog: [], launcher: NoLauncher())
        let pending = guardFiles.path("pending", token)
        let deadline = ContinuousClock.now + timeout
        try? FirewallGuard.writeFile(guardFiles.path("armed", token), "\(getpid())\n")
        while ContinuousClock.now < deadline {
            if access(pending, F_OK) != 0 {
                unlink(guardFiles.path("armed", token))
                return .confirmed
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard rename(pending, guardFiles.path("reverting", token)) == 0 else {
            // chainbot confirmed at the last moment.
            unlink(guardFiles.path("armed", token))
            return .confirmed
        }
        defer { guardFiles.cleanUp(token) }
        guard let executable = restore.first else { return .revertFailed("no restore command") }
        do {
            let result = try await runner.run(
                CommandInvocation(executable, Array(restore.dropFirst()), timeout: .seconds(30)))
            if result.succeeded { return .reverted }
            let command = restore.joined(separator: " ")
            return .revertFailed("'\(command)' failed: \(result.errorOutput)\(result.output)")
        } catch {
            return .revertFailed("\(error)")
        }
    }

    private struct NoLauncher: BackgroundLauncher {
        func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
            -> any BackgroundProcess
        {
            throw .launchFailed(command: executable, reason: "the watchdog starts nothing")
        }
    }
}
