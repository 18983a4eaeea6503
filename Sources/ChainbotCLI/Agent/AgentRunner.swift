import ChainbotCore
import ChainbotEngine
import ChainbotManifest
import ChainbotOS
import ChainbotStore
import Glibc

/// `chainbot agent`'s controller: keeps the host converged on the manifests, level-triggered.
///
/// Work items are resources (`Kind/name`) in a `WorkQueue`; each pass takes every due item and syncs them
/// together (one observe per provider, one plan, one apply). Triggers: the resync timer queues every
/// resource, a change to the manifest files (inotify, debounced) reloads them and queues everything, a
/// failed item comes back after its backoff, SIGHUP reloads, SIGTERM/SIGINT finish the pass in flight and
/// stop. An invalid edit keeps the last good manifests in force and is reported, never retried until
/// the files change again.
actor AgentRunner {
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
    }

    enum Trigger: Sendable {
        case filesChanged
        case reload
        case stop
        /// A deadline passed (resync, backoff, debounce).
        case tick
    }

    private(set) var configuration: Configuration
    /// Reads the configuration file and the command line again (SIGHUP); nil when the file is broken.
    let rereadConfiguration: @Sendable () -> Configuration?
    let context: CommandContext
    let store: SQLiteStateStore
    let notifier: SystemdNotifier
    let metrics: AgentMetrics
    private var queue = WorkQueue<ResourceID>()
    private var backoff: Backoff
    /// The manifests' resources (the last good ones).
    var resources: [Resource] = []
    /// A pin (`chainbot rollback`, `chainbot pin`): while set, its revision's resources are applied
    /// instead of the manifests'. Read from the store at every pass and resync.
    var pin: Pin?
    private var generation = ""
    private var gitCommit: String?
    var manifestProblem: String?
    private var stopping = false
    private var filesChangedAt: ContinuousClock.Instant?
    private var nextResync = ContinuousClock.now
    private var nextHealthReport = ContinuousClock.now
    var nextDelivery: ContinuousClock.Instant?
    private var nextGitPull: ContinuousClock.Instant?
    private var gitSource: GitSource?
    private let triggers: AsyncStream<Trigger>
    private let continuation: AsyncStream<Trigger>.Continuation

    init(
        configuration: Configuration, context: CommandContext, store: SQLiteStateStore, metrics: AgentMetrics,
        rereadConfiguration: @escaping @Sendable () -> Configuration? = { nil }
    ) {
        self.configuration = configuration
        self.rereadConfiguration = rereadConfiguration
        self.context = context
        self.store = store
        self.metrics = metrics
        self.notifier = SystemdNotifier(environment: context.environment)
        self.backoff = configuration.backoff
        (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(64))
    }

    nonisolated func trigger(_ trigger: Trigger) { continuation.yield(trigger) }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    func run() async -> ExitCode {
        let watcher: FileWatcher
        do {
            let continuation = self.continuation
            watcher = try FileWatcher(paths: configuration.options.paths) { _ in continuation.yield(.filesChanged) }
            try SignalEvents.start { [continuation] signal in
                continuation.yield(signal == SIGHUP ? .reload : .stop)
            }
        } catch {
            context.stderr.write("chainbot agent: cannot watch the manifests: \(error)\n")
            return .failure
        }
        defer { watcher.stop() }
        let pinger = startWatchdogPings()
        defer { pinger?.cancel() }
        if let interval = configuration.gitPull, let path = configuration.options.paths.first {
            switch await GitSource.find(for: path, runner: SpawnCommandRunner()) {
            case .success(let source):
                gitSource = source
                nextGitPull = ContinuousClock.now + Self.jittered(interval)
                log("following the upstream branch of \(source.directory) every \(DurationText.format(interval))")
            case .failure(let error):
                context.stderr.write("chainbot agent: --git-pull: \(error)\n")
                return .usage
            }
        }
        refreshPin()
        await reload(initial: true)
        // The first pass before READY=1, so `systemctl start` returns with the host converged.
        nextResync = ContinuousClock.now + configuration.resync
        let first = queue.take(now: ContinuousClock.now)
        if !first.isEmpty {
            await pass(Set(first))
            for id in first { queue.done(id) }
        }
        notifier.notify("READY=1\nSTATUS=\(statusLine)")
        log("started: \(resources.count) resources, resync every \(DurationText.format(configuration.resync))")

        var iterator = triggers.makeAsyncIterator()
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        while !stopping {
            let now = ContinuousClock.now
            if let changed = filesChangedAt, now - changed >= configuration.debounce {
                filesChangedAt = nil
                await reload(initial: false)
            }
            if now >= nextResync {
                nextResync = now + configuration.resync
                refreshPin()
                for id in allIDs() { queue.add(id) }
                metrics.resyncs.add(1)
            }
            let batch = queue.take(now: now)
            if !batch.isEmpty {
                await pass(Set(batch))
                for id in batch { queue.done(id) }
                continue
            }
            if let due = nextGitPull, now >= due, let source = gitSource, let interval = configuration.gitPull {
                nextGitPull = now + Self.jittered(interval)
                switch await source.pull() {
                case .success(let commit?):
                    log("git: fast-forwarded \(source.directory) to \(commit.prefix(12))")
                    filesChangedAt = ContinuousClock.now
                case .success(nil): break
                case .failure(let error):
                    log(error.description)
                    recordEvent(
                        Event(
                            type: .warning, reason: "GitSyncFailed", regardingKind: "Manifests",
                            regardingName: source.directory, message: error.description, generation: generation))
                }
                continue
            }
            if now >= nextHealthReport {
                nextHealthReport = now + configuration.healthReportInterval
                reportHealth()
                await deliverEvents()
            } else if let due = nextDelivery, now >= due {
                await deliverEvents()
            }
            // Sleep until the next deadline or a trigger, whichever comes first.
            var deadline = min(nextResync, nextHealthReport)
            if let due = nextGitPull { deadline = min(deadline, due) }
            if let due = queue.nextDeadline { deadline = min(deadline, due) }
            if let due = nextDelivery { deadline = min(deadline, due) }
            if let changed = filesChangedAt { deadline = min(deadline, changed + configuration.debounce) }
            metrics.queueDepth.store(queue.depth + queue.delayedCount)
            let wait = deadline - ContinuousClock.now
            timer?.cancel()
            if wait > .zero {
                timer = Task { [continuation] in
                    try? await Task.sleep(for: wait)
                    if !Task.isCancelled { continuation.yield(.tick) }
                }
            } else {
                continue
            }
            switch await iterator.next() {
            case .filesChanged?: filesChangedAt = ContinuousClock.now
            case .reload?:
                if let fresh = rereadConfiguration() {
                    // The manifest paths stay those being watched; resync, prune, ALEX OS and the rest apply.
                    var next = fresh
                    next.options.paths = configuration.options.paths
                    if fresh.options.paths != configuration.options.paths {
                        log("SIGHUP: new manifest paths need a restart (systemctl restart chainbot-agent)")
                    }
                    configuration = next
                    backoff = next.backoff
                    nextResync = min(nextResync, ContinuousClock.now + next.resync)
                    log(
                        "SIGHUP: configuration and manifests reloaded (resync every \(DurationText.format(next.resync)))"
                    )
                } else {
                    log("SIGHUP: reloading the manifests")
                }
                await reload(initial: false)
            case .stop?, nil: stopping = true
            case .tick?: break
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
        try? store.setMeta("agent.pid", nil)
        log("stopped")
        return .success
    }

    // MARK: Manifests

    private func reload(initial: Bool) async {
        let set = ManifestLoader().load(configuration.options.paths)
        guard set.isValid, !set.hasIOErrors else {
            let renderer = DiagnosticRenderer(files: set.files, colored: false)
            let text = renderer.render(set.diagnostics)
            manifestProblem =
                "the manifests are invalid (\(set.diagnostics.count) problem\(set.diagnostics.count == 1 ? "" : "s")); "
                + (resources.isEmpty ? "nothing is applied" : "the last good manifests stay in force")
            context.stderr.write(text)
            log(manifestProblem ?? "")
            recordEvent(
                Event(
                    type: .warning, reason: "ManifestInvalid", regardingKind: "Manifests",
                    regardingName: configuration.options.paths.joined(separator: ","),
                    message: String(text.prefix(2000)), generation: generation))
            try? store.setMeta("agent.manifestProblem", text)
            notifier.notify("STATUS=\(statusLine)")
            return
        }
        let newGeneration = await ManifestGeneration.compute(
            paths: configuration.options.paths, files: set.files, runner: SpawnCommandRunner())
        let changed = !initial && newGeneration != generation
        resources = configuration.options.selected(set.resources)
        generation = newGeneration
        gitCommit = newGeneration.hasPrefix("sha256:") ? nil : String(newGeneration.prefix { $0 != "-" })
        manifestProblem = nil
        try? store.setMeta("agent.manifestProblem", nil)
        try? store.setMeta("agent.generation", generation)
        if initial || changed {
            if changed { log("manifests changed: generation \(generation)") }
            for id in allIDs() { queue.add(id) }
        }
    }

    /// Every resource to sync: the desired ones and the ones chainbot applied before.
    private func allIDs() -> [ResourceID] {
        var ids = Set(desired.map(\.id))
        for record in (try? store.allApplied()) ?? [] {
            if let kind = Kind(rawValue: record.kind) { ids.insert(ResourceID(kind, record.name)) }
        }
        return ids.sorted()
    }

    // MARK: One pass

    /// What the agent applies: the pinned revision's resources, else the manifests'.
    var desired: [Resource] { pin?.resources ?? resources }

    /// Reads the pin from the store; a new or ended pin queues everything (the desired set changed).
    private func refreshPin() {
        let current: Pin?
        do { current = try Pin.current(in: store) } catch {
            log("cannot read the pin: \(error); keeping \(pin.map { "revision \($0.revision)" } ?? "the manifests")")
            return
        }
        guard current?.revision != pin?.revision else { return }
        let before = allIDs()
        pin = current
        log(
            current.map { "\($0.description): applying it instead of the manifests" }
                ?? "unpinned: following the manifests")
        for id in Set(before + allIDs()) { queue.add(id) }
    }

    private func pass(_ batch: Set<ResourceID>) async {
        let clock = ContinuousClock()
        let started = clock.now
        metrics.passStarted(started)
        defer { metrics.passStarted(nil) }
        // Wait for a `chainbot apply` in progress; never two writers.
        let lock: StateLock
        do {
            lock = try StateLock.acquire(for: configuration.options.statePath, timeout: .seconds(300)) { holder in
                self.log("waiting for another chainbot\(holder.map { " (pid \($0))" } ?? "") to finish")
            }
        } catch {
            log("cannot lock \(configuration.options.statePath): \(error); retrying later")
            for id in batch { queue.add(id, at: clock.now + .seconds(5)) }
            return
        }
        defer { withExtendedLifetime(lock) {} }
        refreshPin()
        let desiredSet = desired
        let generation = pin?.generation ?? self.generation
        let gitCommit = pin == nil ? self.gitCommit : nil
        // Suspended resources are held: observed and reported, changed by no step of any resource.
        let held = Suspension.holds((try? store.suspensions(at: Timestamp.now())) ?? [])
        let reconciler = configuration.options.reconciler(store)
        var result = StatusBuilder.Result()
        let previous = (try? store.allStatus()) ?? []
        var failed: Set<ResourceID> = []
        var changed = 0
        do {
            let selected = desiredSet.filter { batch.contains($0.id) }
            let prepared = try await reconciler.prepare(
                selected, prune: configuration.prune, force: !desiredSet.isEmpty, whole: desiredSet, ids: batch,
                held: held)
            let report = try await reconciler.apply(prepared, generation: generation, gitCommit: gitCommit)
            result = StatusBuilder(generation: generation, now: Timestamp.now(), previous: previous).build(
                prepared, report: report)
            failed = Set(report.failed)
            changed = report.changed.count + report.pruned.count
            metrics.record(report)
        } catch {
            log("sync failed: \(error)")
            failed = batch
        }
        result.save(to: store, outboxPayload: configuration.options.outboxPayload)
        for id in batch {
            if failed.contains(id) {
                let delay = backoff.next(id.description)
                queue.add(id, at: clock.now + delay)
            } else {
                backoff.forget(id.description)
            }
        }
        // Watchtower targets are probed at their own interval, not only at the resync.
        for resource in desiredSet where batch.contains(resource.id) {
            if case .watchtowerTarget(let target) = resource.spec, target.interval < configuration.resync {
                queue.add(resource.id, at: clock.now + target.interval)
            }
        }
        let elapsed = clock.now - started
        metrics.passDuration(elapsed, failed: !failed.isEmpty)
        if failed.isEmpty {
            try? store.setMeta("agent.lastSuccessfulSync", String(Timestamp.now().millisecondsSinceEpoch))
        }
        try? store.setMeta("agent.lastSync", String(Timestamp.now().millisecondsSinceEpoch))
        if changed > 0 || !failed.isEmpty {
            log("synced \(batch.count): \(changed) changed, \(failed.count) failed in \(DurationText.format(elapsed))")
        }
        // A pass that changed something or failed reports at once; quiet ones wait for the 60 s report.
        if changed > 0 || !failed.isEmpty { reportHealth() }
        await deliverEvents()
        notifier.notify("STATUS=\(statusLine)")
    }

    nonisolated func log(_ message: String) {
        context.stderr.write("chainbot agent: \(message)\n")
    }

    /// `WATCHDOG=1` at half the watchdog interval while the agent is healthy: idle, or in a pass that has
    /// not run longer than `passLimit` (a hung pass stops the pings, and systemd restarts the agent). The
    /// pings do not go through the actor, so a pass blocked waiting for a lock still counts as alive.
    private func startWatchdogPings() -> Task<Void, Never>? {
        guard let interval = notifier.watchdogInterval else { return nil }
        let notifier = self.notifier
        let metrics = self.metrics
        let limit = configuration.passLimit
        return Task.detached {
            while !Task.isCancelled {
                if metrics.isResponsive(limit: limit) { notifier.notify("WATCHDOG=1") }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
