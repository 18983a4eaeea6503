import ChainbotCore
import ChainbotEngine
import ChainbotManifest
import ChainbotOS
import ChainbotStore
import Glibc
import Synchronization

/// `chainbot agent`'s wiring around the engine's `Controller`: it is the controller's `ManifestSource`
/// (the manifests, or a pin) and `SyncHandler` (one pass through the Reconciler and StatusBuilder), and
/// connects the file watcher (debounced reload), SIGHUP (reload), SIGTERM/SIGINT (the controller finishes
/// the pass in flight and stops), `--git-pull`, the health reports and the outbox delivery.
///
/// The controller owns the queue, the backoff, the resync and each key's outcome. An invalid edit keeps
/// the last good manifests in force and is reported, never retried until the files change again.
actor AgentRunner: ManifestSource, SyncHandler {
    struct Configuration: Sendable {
        var options: EngineOptions
        var resync: Duration = .seconds(60)
        var debounce: Duration = .milliseconds(300)
        var prune = false
        var backoff = Backoff()
        /// How long one pass may run before the systemd watchdog is left to fire.
        var passLimit: Duration = .seconds(600)
        /// How often the health summary goes to ALEX OS.
        var healthReportInterval: Duration = .seconds(60)
        /// How often waiting outbox entries are tried again (each entry keeps its own backoff).
        var deliveryInterval: Duration = .seconds(5)
        /// `--git-pull`: follow the manifests' upstream branch at this interval (with 10 % jitter).
        var gitPull: Duration?

        var controller: Controller<ContinuousClock>.Configuration {
            Controller.Configuration(resync: resync, backoff: backoff, passLimit: passLimit)
        }
    }

    /// What the watcher and the signal handler report; the runner acts on them between passes.
    enum Trigger: Sendable {
        case filesChanged
        case reload
    }

    private(set) var configuration: Configuration
    /// Reads the configuration file and the command line again (SIGHUP); nil when the file is broken.
    let rereadConfiguration: @Sendable () -> Configuration?
    let context: CommandContext
    let store: SQLiteStateStore
    let concretes: AgentConcretes
    var notifier: SystemdNotifier { concretes.notifier }
    let metrics: AgentMetrics
    /// The loop this runner feeds; set for the length of `run`.
    var controller: Controller<ContinuousClock>?
    /// The manifests' resources (the last good ones).
    var resources: [Resource] = []
    /// A pin (`chainbot rollback`, `chainbot pin`): while set, its revision's resources are applied
    /// instead of the manifests'. Read from the store at every pass and resync.
    var pin: Pin?
    var generation = ""
    var gitCommit: String?
    var manifestProblem: String?
    private var filesChangedAt: ContinuousClock.Instant?
    private var nextHealthReport = ContinuousClock.now
    var nextDelivery: ContinuousClock.Instant?
    private var nextGitPull: ContinuousClock.Instant?
    private var gitSource: GitSource?
    private let pending = Mutex<[Trigger]>([])

    init(
        configuration: Configuration, context: CommandContext, store: SQLiteStateStore, metrics: AgentMetrics,
        concretes: AgentConcretes? = nil, rereadConfiguration: @escaping @Sendable () -> Configuration? = { nil }
    ) {
        self.configuration = configuration
        self.rereadConfiguration = rereadConfiguration
        self.context = context
        self.store = store
        self.metrics = metrics
        self.concretes = concretes ?? .live(environment: context.environment)
    }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    func run() async -> ExitCode {
        let metrics = self.metrics
        let controller = Controller(
            configuration: configuration.controller, clock: concretes.clock, source: self, handler: self,
            notifier: AgentNotifier(systemd: notifier), onResync: { metrics.resyncs.add(1) },
            onQueueDepth: { metrics.queueDepth.store($0) })
        self.controller = controller
        defer { self.controller = nil }
        let watcher: FileWatcher
        do {
            watcher = try FileWatcher(paths: configuration.options.paths) { _ in
                self.note(.filesChanged, waking: controller)
            }
            try SignalEvents.start { signal in
                if signal == SIGHUP { self.note(.reload, waking: controller) } else { controller.stop() }
            }
        } catch {
            context.stderr.write("chainbot agent: cannot watch the manifests: \(error)\n")
            return .failure
        }
        defer { watcher.stop() }
        if let interval = configuration.gitPull, let path = configuration.options.paths.first {
            switch await GitSource.find(for: path, runner: concretes.commands) {
            case .success(let source):
                gitSource = source
                nextGitPull = concretes.clock.now + Self.jittered(interval)
                log("following the upstream branch of \(source.directory) every \(DurationText.format(interval))")
            case .failure(let error):
                context.stderr.write("chainbot agent: --git-pull: \(error)\n")
                return .usage
            }
        }
        await refreshPin()
        await reload(initial: true)
        log("starting: \(resources.count) resources, resync every \(DurationText.format(configuration.resync))")
        await controller.run()
        try? store.setMeta("agent.pid", nil)
        log("stopped")
        return .success
    }

    nonisolated func note(_ trigger: Trigger, waking controller: Controller<ContinuousClock>) {
        pending.withLock { $0.append(trigger) }
        controller.poke()
    }

    // MARK: Between passes

    /// Reloads after a file change (debounced) or SIGHUP, pulls git, reports health and delivers events;
    /// returns how long until the next of those is due.
    func idle() async -> Duration? {
        for trigger in pending.withLock({ pending in
            defer { pending.removeAll() }; return pending
        }) {
            switch trigger {
            case .filesChanged: filesChangedAt = concretes.clock.now
            case .reload: await reloadConfiguration()
            }
        }
        let now = concretes.clock.now
        if let changed = filesChangedAt, now - changed >= configuration.debounce {
            filesChangedAt = nil
            await reload(initial: false)
            return .zero
        }
        if let due = nextGitPull, now >= due, let source = gitSource, let interval = configuration.gitPull {
            nextGitPull = now + Self.jittered(interval)
            await pull(source)
            return .zero
        }
        if now >= nextHealthReport {
            nextHealthReport = now + configuration.healthReportInterval
            reportHealth()
            await deliverEvents()
        } else if let due = nextDelivery, now >= due {
            await deliverEvents()
        }
        var deadline = nextHealthReport
        if let due = nextGitPull { deadline = min(deadline, due) }
        if let due = nextDelivery { deadline = min(deadline, due) }
        if let changed = filesChangedAt { deadline = min(deadline, changed + configuration.debounce) }
        return max(.zero, deadline - concretes.clock.now)
    }

    private func pull(_ source: GitSource) async {
        switch await source.pull() {
        case .success(let commit?):
            log("git: fast-forwarded \(source.directory) to \(commit.prefix(12))")
            filesChangedAt = concretes.clock.now
        case .success(nil): break
        case .failure(let error):
            log(error.description)
            recordEvent(
                Event(
                    type: .warning, reason: "GitSyncFailed", regardingKind: "Manifests",
                    regardingName: source.directory, message: error.description, generation: generation))
        }
    }

    /// SIGHUP: the configuration file and the command line again, then the manifests.
    private func reloadConfiguration() async {
        if let fresh = rereadConfiguration() {
            // The manifest paths stay those being watched; resync, prune, ALEX OS and the rest apply.
            var next = fresh
            next.options.paths = configuration.options.paths
            if fresh.options.paths != configuration.options.paths {
                log("SIGHUP: new manifest paths need a restart (systemctl restart chainbot-agent)")
            }
            configuration = next
            await controller?.configure(next.controller)
            log("SIGHUP: configuration and manifests reloaded (resync every \(DurationText.format(next.resync)))")
        } else {
            log("SIGHUP: reloading the manifests")
        }
        await reload(initial: false)
    }

    nonisolated func log(_ message: String) {
        context.stderr.write("chainbot agent: \(message)\n")
    }
}

/// systemd's notification socket as the controller's `Notifier`.
struct AgentNotifier: Notifier {
    let systemd: SystemdNotifier

    var watchdogInterval: Duration? { systemd.watchdogInterval }

    func notify(_ state: String) { systemd.notify(state) }
}
