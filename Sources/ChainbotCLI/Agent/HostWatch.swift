import ChainbotCore
import ChainbotOS
import Synchronization

/// The agent's eyes on the host between resyncs: the monitors in `HostMonitorStarter.live` report changes
/// (a file written, a unit stopped, the nftables table flushed), the routes say which resources each
/// concerns, and after a short debounce (`HostWatchBatcher`) those are queued on the controller at once;
/// the resync stays the safety net for whatever a monitor cannot see or missed.
///
/// The routes follow the desired set (`update`, after a manifest reload or a pin). A monitor that is lost
/// is started again after a pause that doubles up to a minute, and then everything is queued (a full
/// resync), since changes may have gone unseen meanwhile.
final class HostWatch: Sendable {
    private struct Running {
        var key: [String]
        var monitor: any HostMonitor
        var serial: Int
        var started: ContinuousClock.Instant
    }

    private struct State {
        var routes = HostWatchRoutes()
        var batcher = HostWatchBatcher<ContinuousClock.Instant>()
        var running: [String: Running] = [:]
        /// Monitors waiting to be started again after a loss.
        var waiting: Set<String> = []
        /// How often in a row each monitor was lost (the pause before it starts again doubles with it).
        var losses: [String: Int] = [:]
        var armedFor: ContinuousClock.Instant?
        var serial = 0
        /// The serial of each monitor's latest start: a loss reported by an older one is stale.
        var latest: [String: Int] = [:]
        /// Monitors whose start is under way on their own thread: the serial and key of the latest.
        var starting: [String: (serial: Int, key: [String])] = [:]
        var stopped = false
    }

    private let clock = ContinuousClock()
    private let starters: [HostMonitorStarter]
    private let log: @Sendable (String) -> Void
    private let enqueue: @Sendable ([ResourceID]) async -> Void
    private let resyncAll: @Sendable () async -> Void
    private let state = Mutex(State())

    /// `enqueue` queues keys on the controller, `resyncAll` queues every key.
    init(
        starters: [HostMonitorStarter] = HostMonitorStarter.live, log: @escaping @Sendable (String) -> Void,
        enqueue: @escaping @Sendable ([ResourceID]) async -> Void, resyncAll: @escaping @Sendable () async -> Void
    ) {
        self.starters = starters
        self.log = log
        self.enqueue = enqueue
        self.resyncAll = resyncAll
    }

    /// Watches what `declared` names from now on: monitors no longer needed stop, new ones start, the file
    /// watcher starts again when the owned paths changed.
    func update(_ declared: [ResourceID: WatchPoints], root: String) {
        let routes = HostWatchRoutes(declared, root: root)
        let changes: [(HostMonitorStarter, [String], Running?)] = state.withLock { state in
            guard !state.stopped else { return [] }
            state.routes = routes
            return starters.compactMap { starter in
                let key = starter.key(routes)
                let running = state.running[starter.name]
                if key.isEmpty { state.starting[starter.name] = nil }
                if running?.key == key || (running == nil && key.isEmpty) || state.waiting.contains(starter.name)
                    || state.starting[starter.name]?.key == key
                {
                    return nil
                }
                state.running[starter.name] = nil
                return (starter, key, running)
            }
        }
        for (starter, key, old) in changes {
            old?.monitor.stop()
            if !key.isEmpty { start(starter, routes: routes) }
        }
    }

    /// Starts `starter`'s monitor on a thread of its own, so that one whose start blocks (a socket that
    /// does not answer) never holds up the agent; a failure counts as a loss. `thenResync`: queue every
    /// resource once it runs (after a loss).
    private func start(_ starter: HostMonitorStarter, routes: HostWatchRoutes, thenResync: Bool = false) {
        let serial = state.withLock { state in
            state.serial += 1
            state.latest[starter.name] = state.serial
            state.starting[starter.name] = (state.serial, starter.key(routes))
            return state.serial
        }
        do {
            try DetachedThread.start(name: "cb-" + starter.name) { [self] in
                self.run(starter, routes: routes, serial: serial, thenResync: thenResync)
            }
        } catch {
            state.withLock { _ = $0.starting.removeValue(forKey: starter.name) }
            lose(starter, serial: serial, why: "cannot start a thread: \(error)")
        }
    }

    private func run(_ starter: HostMonitorStarter, routes: HostWatchRoutes, serial: Int, thenResync: Bool) {
        do {
            let monitor = try starter.start(
                routes, { [weak self] event in self?.receive(event) },
                { [weak self] why in self?.lose(starter, serial: serial, why: why) })
            let stale = state.withLock { state in
                guard state.starting[starter.name]?.serial == serial, !state.stopped else { return true }
                state.starting[starter.name] = nil
                state.running[starter.name] = Running(
                    key: starter.key(routes), monitor: monitor, serial: serial, started: clock.now)
                return false
            }
            if stale { monitor.stop() }
            guard !stale, thenResync else { return }
            log("\(starter.name) is watching again; queuing every resource")
            Task { await self.resyncAll() }
        } catch {
            let current = state.withLock { state in
                guard state.starting[starter.name]?.serial == serial else { return false }
                state.starting[starter.name] = nil
                return true
            }
            if current { lose(starter, serial: serial, why: "cannot start: \(error)") }
        }
    }

    /// Routes one event and opens (or extends) the debounce window.
    func receive(_ event: HostEvent) {
        let note: String? = state.withLock { state in
            let ids = state.routes.route(event)
            return ids.isEmpty ? nil : state.batcher.record(ids, at: clock.now)
        }
        if let note { log(note) }
        arm()
    }

    /// A pass over `batch` starts: events for its keys wait for its end.
    func passStarted(_ batch: Set<ResourceID>) {
        state.withLock { $0.batcher.passStarted(batch) }
    }

    /// The pass changed `changed` and failed on `failed`: events that came meanwhile for its other keys
    /// are queued after the debounce, and the keys it changed that events came for are queued again at
    /// once, for one more look (its own writes, or a hand change in the same moment); failed keys wait for
    /// their retry.
    func passFinished(changed: Set<ResourceID>, failed: Set<ResourceID>) async {
        let recheck = state.withLock {
            $0.batcher.passFinished(changed: changed, failed: failed, at: clock.now).recheck
        }
        arm()
        if !recheck.isEmpty { await enqueue(recheck) }
    }

    /// Stops every monitor; events that come after are ignored.
    func stop() {
        let monitors = state.withLock { state in
            state.stopped = true
            defer { state.running = [:] }
            return state.running.values.map(\.monitor)
        }
        for monitor in monitors { monitor.stop() }
    }

    /// Sleeps until the batcher's window ends, unless a sleep for it is already under way.
    private func arm() {
        let due: ContinuousClock.Instant? = state.withLock { state in
            guard let due = state.batcher.due, state.armedFor == nil, !state.stopped else { return nil }
            state.armedFor = due
            return due
        }
        guard let due else { return }
        Task { [clock] in
            try? await clock.sleep(until: due, tolerance: nil)
            await self.flushDue()
        }
    }

    private func flushDue() async {
        let (ids, note, storming) = state.withLock { state in
            state.armedFor = nil
            let (ids, note) = state.batcher.flush(at: clock.now)
            return (ids, note, state.batcher.storming)
        }
        arm()
        if let note { log(note) }
        guard !ids.isEmpty else { return }
        if !storming {
            let shown = ids.prefix(5).map(\.description).joined(separator: ", ")
            log("host changed: \(shown)\(ids.count > 5 ? " and \(ids.count - 5) more" : ""); syncing")
        }
        await enqueue(ids)
    }

    /// A monitor was lost (or could not start): started again after a pause, then a full resync.
    private func lose(_ starter: HostMonitorStarter, serial: Int, why: String) {
        var ended: (any HostMonitor)?
        let pause: Duration? = state.withLock { state in
            guard !state.stopped, state.latest[starter.name] == serial else { return nil }
            if let running = state.running[starter.name] {
                // Still running after a loss of events (inotify's queue overflowed): replaced by a fresh one.
                ended = running.monitor
                // One that ran a while before it was lost starts over at the shortest pause.
                if running.started.duration(to: clock.now) >= .seconds(60) { state.losses[starter.name] = nil }
            }
            state.running[starter.name] = nil
            let count = (state.losses[starter.name] ?? 0) + 1
            state.losses[starter.name] = count
            state.waiting.insert(starter.name)
            return .seconds(min(1 << min(count - 1, 6), 60))
        }
        ended?.stop()
        guard let pause else { return }
        log("\(starter.name) lost: \(why); starting it again in \(DurationText.format(pause)), then a full resync")
        Task { [clock] in
            try? await clock.sleep(for: pause)
            await self.restart(starter)
        }
    }

    private func restart(_ starter: HostMonitorStarter) async {
        let routes: HostWatchRoutes? = state.withLock { state in
            state.waiting.remove(starter.name)
            return state.stopped ? nil : state.routes
        }
        guard let routes, !starter.key(routes).isEmpty else { return }
        start(starter, routes: routes, thenResync: true)
    }
}
