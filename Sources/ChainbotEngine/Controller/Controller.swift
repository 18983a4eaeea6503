public import ChainbotCore
import Synchronization

/// The reconcile loop, in the manner of kubernetes/sample-controller: `runWorker` takes what is due from
/// the work queue, `processNextWorkItem` hands the batch to the `SyncHandler`, and each key's `Outcome`
/// decides when it comes back (backoff for a retryable failure, never for a terminal one until its desired
/// spec or the manifests change, its interval for a periodic probe). A resync queues every key. Between
/// passes the `Housekeeper`'s duties run on their timers (`Controller+Timers.swift`): the manifests read
/// once file events have settled, the git pull, the health report and the outbox delivery.
///
/// Time comes only from `clock`, so a test drives the loop with a manual clock and no sleeps.
public actor Controller<C: Clock> where C.Duration == Duration {
    public typealias Configuration = ControllerConfiguration

    let clock: C
    let source: any ManifestSource
    let handler: any SyncHandler
    let notifier: any Notifier
    /// The work between passes on the controller's timers; nil for none (and no timers).
    let housekeeper: (any Housekeeper)?
    /// Called at every resync (for metrics).
    let onResync: @Sendable () -> Void
    /// Called with the number of waiting keys, due or delayed, before the loop waits (for metrics).
    let onQueueDepth: @Sendable (Int) -> Void
    public private(set) var configuration: Configuration
    var queue = DelayingQueue<ResourceID, C.Instant>()
    var backoff: Backoff
    /// Keys whose last outcome was terminal, with the desired side they failed on.
    var terminal: [ResourceID: DesiredFingerprint] = [:]
    var nextResync: C.Instant
    let pass: PassTracker<C.Instant>
    /// When each of the housekeeper's duties is due next.
    var timers = ControllerTimers<C.Instant>()
    let triggers = Mutex<[ControllerTrigger]>([])
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(
        configuration: Configuration, clock: C, source: any ManifestSource, handler: any SyncHandler,
        notifier: any Notifier, housekeeper: (any Housekeeper)? = nil,
        onResync: @escaping @Sendable () -> Void = {},
        onQueueDepth: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.backoff = configuration.backoff
        self.clock = clock
        self.source = source
        self.handler = handler
        self.notifier = notifier
        self.housekeeper = housekeeper
        self.onResync = onResync
        self.onQueueDepth = onQueueDepth
        self.nextResync = clock.now.advanced(by: configuration.resync)
        self.pass = PassTracker()
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stops taking work: the pass in flight finishes, then `run` returns (SIGTERM, SIGINT).
    public nonisolated func stop() {
        pass.stopRequested.store(true, ordering: .relaxed)
        wake.yield()
    }

    /// Tells the loop that a file changed or SIGHUP came; it acts on it between passes.
    public nonisolated func trigger(_ trigger: ControllerTrigger) {
        triggers.withLock { $0.append(trigger) }
        wake.yield()
    }

    /// Queues `ids` now (the manifests or the pin changed); a key being synced runs once more after.
    public func add(_ ids: [ResourceID]) {
        for id in ids {
            terminal[id] = nil
            queue.add(id)
        }
        wake.yield()
    }

    /// Takes a reloaded configuration: new limits (the failure counts start again), and a resync no later
    /// than the new interval from now.
    public func configure(_ next: Configuration) {
        configuration = next
        backoff = next.backoff
        nextResync = min(nextResync, clock.now.advanced(by: next.resync))
        if next.gitPull == nil { timers.gitPull = nil }
        wake.yield()
    }

    /// Runs until `stop`: the first pass over what is queued, `READY=1`, then the loop; `STOPPING=1` last.
    public func run() async {
        let pinger = startWatchdogPings()
        defer { pinger?.cancel() }
        nextResync = clock.now.advanced(by: configuration.resync)
        startTimers()
        // The first pass before READY=1, so `systemctl start` returns with the host converged.
        _ = await processNextWorkItem()
        notifier.notify("READY=1\nSTATUS=\(await handler.statusLine())")
        await runWorker()
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }

    var stopping: Bool { pass.stopRequested.load(ordering: .relaxed) }

    private func runWorker() async {
        var iterator = wakeups.makeAsyncIterator()
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        while !stopping {
            await takeTriggers()
            if clock.now >= nextResync { await resync() }
            if await processNextWorkItem() { continue }
            if await runDueDuty() { continue }
            if stopping || queue.depth > 0 { continue }
            var deadline = nextResync
            if let due = queue.nextDeadline { deadline = min(deadline, due) }
            if let due = timers.nextDeadline { deadline = min(deadline, due) }
            onQueueDepth(queue.depth + queue.delayedCount)
            if deadline <= clock.now { continue }
            // Wait for the next deadline or a trigger, whichever comes first.
            timer?.cancel()
            timer = Task { [clock, wake] in
                try? await clock.sleep(until: deadline, tolerance: nil)
                if !Task.isCancelled { wake.yield() }
            }
            _ = await iterator.next()
        }
    }

    /// Queues every key, except those that failed terminally on the desired side still in force.
    func resync() async {
        nextResync = clock.now.advanced(by: configuration.resync)
        let desired = await source.desired()
        for id in desired.keys {
            if let failed = terminal[id], failed == desired.fingerprint(of: id) { continue }
            terminal[id] = nil
            queue.add(id)
        }
        onResync()
    }

    /// Syncs every key that is due, as one batch; false when none was.
    func processNextWorkItem() async -> Bool {
        let batch = queue.take(now: clock.now)
        guard !batch.isEmpty else { return false }
        pass.started(at: clock.now)
        let result = await handler.sync(Set(batch))
        let outcomes = result.outcomes
        pass.started(at: nil)
        let needsDesired = outcomes.values.contains { if case .terminal = $0 { true } else { false } }
        let desired = needsDesired ? await source.desired() : nil
        let now = clock.now
        for id in batch {
            requeue(id, after: outcomes[id] ?? .converged, now: now, desired: desired)
            queue.done(id)
        }
        await afterPass(result)
        notifier.notify("STATUS=\(await handler.statusLine())")
        return true
    }

    private func requeue(_ id: ResourceID, after outcome: Outcome, now: C.Instant, desired: DesiredState?) {
        let key = id.description
        if case .terminal = outcome {} else { terminal[id] = nil }
        switch outcome {
        case .converged:
            backoff.forget(key)
        case .requeueAfter(let delay):
            backoff.forget(key)
            queue.add(id, at: now.advanced(by: delay))
        case .retryable(_, let period):
            queue.add(id, at: now.advanced(by: backoff.next(key)))
            if let period { queue.add(id, at: now.advanced(by: period)) }
        case .terminal(_, let period):
            backoff.forget(key)
            terminal[id] = desired?.fingerprint(of: id)
            if let period { queue.add(id, at: now.advanced(by: period)) }
        }
    }

    /// `WATCHDOG=1` every `watchdogInterval` while the controller is healthy: idle, or in a pass that has
    /// not run longer than `passLimit` (a hung pass stops the pings). The pings do not go through the
    /// actor, so a pass that waits (for a lock, a provider) still counts as alive until the limit.
    private func startWatchdogPings() -> Task<Void, Never>? {
        guard let interval = notifier.watchdogInterval else { return nil }
        let limit = configuration.passLimit
        return Task.detached { [clock, notifier, pass] in
            while !Task.isCancelled {
                if pass.isResponsive(now: clock.now, limit: limit) { notifier.notify("WATCHDOG=1") }
                try? await clock.sleep(for: interval)
            }
        }
    }
}

/// When the pass in flight started, and whether a stop was asked for: read without the actor.
final class PassTracker<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    private let startedAt = Mutex<Instant?>(nil)
    let stopRequested = Atomic<Bool>(false)

    func started(at instant: Instant?) { startedAt.withLock { $0 = instant } }

    /// True when idle, or when the pass in flight has run less than `limit` at `now`.
    func isResponsive(now: Instant, limit: Duration) -> Bool {
        startedAt.withLock { $0.map { $0.duration(to: now) < limit } ?? true }
    }
}
