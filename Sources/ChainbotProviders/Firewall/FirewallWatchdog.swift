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
    /// the pending load and runs `restore` (argv, e.g. `nft -f FILE`). Its files are on `fileSystem`, its
    /// waits on `clock`.
    public static func watch(
        directory: String, token: String, timeout: Duration, restore: [String], runner: any CommandRunner,
        fileSystem: any HostFileSystem, clock: any Clock<Duration> = ContinuousClock()
    ) async -> Outcome {
        let guardFiles = FirewallGuard(
            directory: directory, watchdog: [], launcher: NoLauncher(), fileSystem: fileSystem, clock: clock)
        let pending = guardFiles.path("pending", token)
        try? guardFiles.write(guardFiles.path("armed", token), "\(getpid())\n")
        let confirmed = await MarkerPoll.wait(on: clock, every: .milliseconds(50), for: timeout) {
            ((try? fileSystem.info(pending)) ?? nil) == nil
        }
        guard !confirmed, guardFiles.claim(token, as: "reverting") else {
            // Confirmed in time, or at the last moment.
            try? fileSystem.remove(guardFiles.path("armed", token))
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
