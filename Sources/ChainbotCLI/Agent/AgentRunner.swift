import ChainbotCore
import ChainbotEngine
import ChainbotHTTP
import ChainbotManifest
import ChainbotOS
import ChainbotStore
import Glibc

/// `chainbot agent`'s wiring around the engine's `Controller`: it is the controller's `ManifestSource`
/// (the manifests, or a pin), its `SyncHandler` (the state lock around one `ReconcilePass`) and its
/// `Housekeeper` (what reloading, pulling git, the health report and the delivery do); it connects the
/// file watcher and the signals to the controller's triggers.
///
/// The controller owns the queue, the backoff, the resync, each key's outcome and every timer (debounce,
/// git pull, health report, delivery). An invalid edit keeps the last good manifests in force and is
/// reported, never retried until the files change again.
actor AgentRunner: ManifestSource, SyncHandler, Housekeeper {
    struct Configuration: Sendable {
        var options: EngineOptions
        var prune = false
        /// The controller's timings: resync, backoff, pass limit, debounce, health report, delivery, git pull.
        var controller = ControllerConfiguration()
        /// What the git source follows and trusts (`--git-branch`, `--git-remote`, `--git-verify`).
        var git = GitSourceSettings()
        /// ALEX OS's event bus to publish on (`--event-bus-url`); nil: none.
        var eventBus: WebSocketURL?
    }

    var configuration: Configuration
    /// Reads the configuration file and the command line again (SIGHUP); nil when the file is broken.
    let rereadConfiguration: @Sendable () -> Configuration?
    let context: CommandContext
    let store: SQLiteStateStore
    let concretes: Concretes
    var notifier: SystemdNotifier { concretes.notifier }
    let metrics: AgentMetrics
    /// Each resource's last look, for the status page's detail view.
    let plans: StatusPagePlans
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
    var gitSource: GitSource?
    /// The host monitors that queue a resource as soon as what it owns changes; set for the length of `run`.
    var hostWatch: HostWatch?
    /// The event bus client (its counters for the metrics); set for the length of `run` when configured.
    var eventBusClient: AgentEventBus?

    init(
        configuration: Configuration, context: CommandContext, store: SQLiteStateStore, metrics: AgentMetrics,
        concretes: Concretes? = nil, rereadConfiguration: @escaping @Sendable () -> Configuration? = { nil },
        plans: StatusPagePlans = StatusPagePlans()
    ) {
        self.configuration = configuration
        self.rereadConfiguration = rereadConfiguration
        self.context = context
        self.store = store
        self.metrics = metrics
        self.plans = plans
        self.concretes = concretes ?? .live(environment: context.environment)
    }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    func run() async -> ExitCode {
        let metrics = self.metrics
        let controller = Controller(
            configuration: configuration.controller, clock: concretes.clock, source: self, handler: self,
            notifier: AgentNotifier(systemd: notifier), housekeeper: self, onResync: { metrics.resyncs.add(1) },
            onQueueDepth: { metrics.queueDepth.store($0) })
        self.controller = controller
        defer { self.controller = nil }
        let watcher: FileWatcher
        do {
            watcher = try FileWatcher(paths: configuration.options.paths) { _ in controller.trigger(.filesChanged) }
            try SignalEvents.start { signal in
                if signal == SIGHUP { controller.trigger(.reloadConfiguration) } else { controller.stop() }
            }
        } catch {
            context.stderr.write("chainbot agent: cannot watch the manifests: \(error)\n")
            return .failure
        }
        defer { watcher.stop() }
        let hostWatch = startHostWatch(controller)
        defer { hostWatch.stop() }
        if let interval = configuration.controller.gitPull, let path = configuration.options.paths.first {
            switch await GitSource.find(
                for: path, runner: concretes.commands, settings: configuration.git)
            {
            case .success(let source):
                gitSource = source
                metrics.gitFollowed()
                log(
                    "following \(source.branch ?? "?") of \(source.remotes.map(GitSource.shown).joined(separator: ", ")) in \(source.directory) every \(DurationText.format(interval))"
                        + (source.settings.verify ? ", applying only commits git verify-commit accepts" : ""))
            case .failure(let error):
                context.stderr.write("chainbot agent: --git-pull: \(error)\n")
                return .usage
            }
        }
        let eventBus = startEventBus(controller)
        if let eventBus { metrics.eventBus(eventBus.counters) }
        if configuration.options.alexOS != nil { metrics.channel("webhook") }
        await refreshPin()
        await reload(initial: true)
        let resync = configuration.controller.resync
        log("starting: \(resources.count) resources, resync every \(DurationText.format(resync))")
        await controller.run()
        await eventBus?.stop()
        try? store.setMeta(.agentPID, nil)
        log("stopped")
        return .success
    }

    /// The host watch feeding `controller`; it watches what the desired set declares once that is read.
    private func startHostWatch(_ controller: Controller<ContinuousClock>) -> HostWatch {
        let watch = HostWatch(
            log: { [weak self] in self?.log($0) }, enqueue: { await controller.add($0) },
            resyncAll: { [weak self] in
                guard let self else { return }
                await controller.add(await self.allIDs())
            })
        hostWatch = watch
        return watch
    }

    /// Points the host watch at what the desired resources declare (after a reload or a pin change).
    func updateHostWatch() {
        metrics.desired(desiredResources.map(\.id))
        hostWatch?.update(
            HostWatch.declarations(desiredResources, providers: concretes.providers(configuration.options)),
            root: configuration.options.root ?? "/")
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
