import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotStore

/// The concrete mechanisms `chainbot agent` runs on, built in one place; the engine's `Controller` sees
/// only its roles. The providers come from `EngineOptions.reconciler`, the store from the command.
struct AgentConcretes: Sendable {
    /// Runs `git` (the manifests' generation, `--git-pull`).
    var commands: any CommandRunner
    /// Delivers the outbox to ALEX OS.
    var transport: any HTTPTransport
    /// The wall clock stamped on syncs and statuses, and read for suspensions.
    var now: @Sendable () -> Timestamp
    /// The monotonic clock of the controller (queue, backoff, resync, watchdog) and of the runner's timers.
    var clock: ContinuousClock
    /// systemd's notification socket (`READY=1`, `STATUS=`, `WATCHDOG=1`).
    var notifier: SystemdNotifier

    /// The real ones, for a process started with `environment`.
    static func live(environment: [String: String]) -> AgentConcretes {
        AgentConcretes(
            commands: SpawnCommandRunner(), transport: HTTPClient(), now: { Timestamp.now() }, clock: ContinuousClock(),
            notifier: SystemdNotifier(environment: environment))
    }
}
