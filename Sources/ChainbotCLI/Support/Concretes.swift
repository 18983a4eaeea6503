import ChainbotCore
import ChainbotEngine
import ChainbotHTTP
import ChainbotOS
import ChainbotProviders
import ChainbotStore

/// The concrete mechanisms chainbot runs on, built in one place: `diff`, `apply`, `rollback` and the
/// agent get their providers and their Reconciler here; the engine sees only its roles.
struct Concretes: Sendable {
    /// Runs `systemctl`, `nft`, `git` and the rest (posix_spawn, never a shell).
    var commands: any CommandRunner
    /// Talks to ALEX OS (the registry, the outbox delivery).
    var transport: any HTTPTransport
    /// The wall clock stamped on syncs, statuses and events, and read for suspensions.
    var now: @Sendable () -> Timestamp
    /// The monotonic clock of the controller (queue, backoff, resync, watchdog, the agent's timers).
    var clock: ContinuousClock
    /// systemd's notification socket (`READY=1`, `STATUS=`, `WATCHDOG=1`).
    var notifier: SystemdNotifier
    /// Where units' properties are read: systemd's D-Bus socket on the live host, `systemctl` where that
    /// cannot be used (and for the commands a test fakes).
    var systemdReads: UnitReads = .systemctl

    /// The real ones, for a process started with `environment` (`CHAINBOT_SYSTEMD_READS=systemctl` reads
    /// units with `systemctl` only).
    static func live(environment: [String: String]) -> Concretes {
        Concretes(
            commands: SpawnCommandRunner(), transport: HTTPClient(), now: { Timestamp.now() }, clock: ContinuousClock(),
            notifier: SystemdNotifier(environment: environment), systemdReads: .live(environment: environment))
    }

    /// The providers for the live host, or for the offline image under `--root`.
    func providers(_ options: EngineOptions) -> [any Provider] {
        ProviderFactory.providers(
            root: options.root, runner: commands, watchtower: options.watchtower,
            firewall: ProviderFactory.firewallSettings(
                statePath: options.statePath, force: options.force, environment: options.environment),
            alexOS: options.alexOS, transport: transport, systemdReads: systemdReads)
    }

    /// The engine over fresh providers; events also go to the outbox when an ALEX OS is configured.
    func reconciler(_ options: EngineOptions, store: any StateStore) -> Reconciler {
        Reconciler(providers: providers(options), store: store, now: now, outboxPayload: options.outboxPayload)
    }
}
