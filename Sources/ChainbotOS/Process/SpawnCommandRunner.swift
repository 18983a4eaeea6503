import ChainbotCore
import Glibc

/// Runs child processes with `posix_spawn`: argv only (never a shell), output drained while the child
/// runs, a timeout that ends in SIGTERM and then SIGKILL, and an output limit per stream.
///
/// Each child gets its own process group, so signals from a timeout reach whatever it started too, and a
/// Ctrl-C at chainbot's terminal does not kill the step in flight. A bare executable name is searched in
/// chainbot's own `PATH` (`posix_spawnp`), not in a `PATH` passed through `environment`.
public struct SpawnCommandRunner: CommandRunner {
    /// The bounds a runner enforces on every child.
    public struct Limits: Sendable, Hashable {
        /// The most bytes kept from each of standard output and standard error; past it the child is killed.
        public var outputLimit: Int
        /// How long a timed-out child has between SIGTERM and SIGKILL, and how long an exited child's
        /// descendants may keep its output pipes open before chainbot stops reading them.
        public var killGracePeriod: Duration

        /// 64 MiB per stream and a 2 s grace period.
        public static let standard = Limits(outputLimit: 64 * 1024 * 1024, killGracePeriod: .seconds(2))

        public init(outputLimit: Int, killGracePeriod: Duration) {
            self.outputLimit = outputLimit
            self.killGracePeriod = killGracePeriod
        }
    }

    /// The bounds this runner enforces.
    public var limits: Limits

    public init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// Runs `invocation` on a dedicated thread, so waiting for the child never occupies the cooperative pool.
    public func run(_ invocation: CommandInvocation) async throws(CommandError) -> CommandResult {
        try await DetachedThread.run(name: "cb-command") { () throws(CommandError) in
            try runSynchronously(invocation)
        } noThread: { error in
            .launchFailed(command: invocation.description, reason: CommandError.Reason(error))
        }
    }

    /// Runs `invocation` to completion on the calling thread, blocking it; not for async contexts.
    public func runSynchronously(_ invocation: CommandInvocation) throws(CommandError) -> CommandResult {
        let brokenPipeGuard = BrokenPipeGuard()
        defer { brokenPipeGuard.end() }
        let child = try ChildProcess.spawn(invocation)
        var supervisor = ChildSupervisor(child: child, invocation: invocation, limits: limits)
        return try supervisor.run()
    }
}
