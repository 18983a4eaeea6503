import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotStore
import Synchronization

/// What the agent counts, for `/metrics` and the watchdog: shared across threads without the actor.
final class AgentMetrics: Sendable {
    struct Counters: Sendable {
        var passes = 0
        var failedPasses = 0
        var passSeconds = 0.0
        var resourcesSynced = 0
        var stepsSucceeded = 0
        var stepsFailed = 0
        var driftByKind: [String: Int] = [:]
        var passStarted: ContinuousClock.Instant?
    }

    /// What the agent has done with its git source and its delivery channels since it started.
    struct Sources: Sendable {
        /// The desired set's resources (manifests or pin), as the runner last loaded them; nil before.
        var desired: [ResourceID]?
        /// Whether the agent follows a git source (`--git-pull`).
        var gitFollowed = false
        var gitLastSuccess: Timestamp?
        var gitFailures = 0
        /// Per channel counted here (`webhook`, declared when ALEX OS is configured): entries delivered and
        /// deliveries that failed.
        var deliveries: [String: (delivered: Int, failed: Int)] = [:]
        /// The event bus channel's own counters, when the agent publishes on a bus.
        var eventBus: EventBusCounters?
    }

    let resyncs = Atomic<Int>(0)
    let queueDepth = Atomic<Int>(0)
    private let counters = Mutex(Counters())
    private let sources = Mutex(Sources())
    /// Where the host and process gauges are read on a scrape.
    let host: AgentMetricsHost

    init(host: AgentMetricsHost = .live) {
        self.host = host
    }

    func snapshot() -> Counters { counters.withLock { $0 } }

    func sourcesSnapshot() -> Sources { sources.withLock { $0 } }

    /// The resources of the desired set now in force; each has a sync and health sample from then on.
    func desired(_ ids: [ResourceID]) {
        sources.withLock { $0.desired = ids }
    }

    /// The agent follows a git source.
    func gitFollowed() {
        sources.withLock { $0.gitFollowed = true }
    }

    /// A pull of the git source succeeded (moved or not) at `time`, or failed.
    func gitPulled(succeeded: Bool, at time: Timestamp = .now()) {
        sources.withLock { sources in
            sources.gitFollowed = true
            if succeeded { sources.gitLastSuccess = time } else { sources.gitFailures += 1 }
        }
    }

    /// The agent delivers on `channel` (`webhook`): its samples show from now on, zero until it delivers.
    func channel(_ name: String) {
        sources.withLock { sources in
            if sources.deliveries[name] == nil { sources.deliveries[name] = (0, 0) }
        }
    }

    /// The agent publishes on ALEX OS's event bus; `counters` are the channel's own.
    func eventBus(_ counters: EventBusCounters) {
        sources.withLock { $0.eventBus = counters }
    }

    /// One delivery pass on `channel`: how many entries it delivered and how many deliveries failed.
    func delivered(channel: String, delivered: Int, failed: Int) {
        sources.withLock { sources in
            let before = sources.deliveries[channel] ?? (0, 0)
            sources.deliveries[channel] = (before.delivered + max(0, delivered), before.failed + max(0, failed))
        }
    }

    func passStarted(_ instant: ContinuousClock.Instant?) {
        counters.withLock { $0.passStarted = instant }
    }

    /// True when idle, or when the pass in flight has run less than `limit`.
    func isResponsive(limit: Duration) -> Bool {
        counters.withLock { counters in
            counters.passStarted.map { ContinuousClock.now - $0 < limit } ?? true
        }
    }

    func passDuration(_ duration: Duration, failed: Bool) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        counters.withLock {
            $0.passes += 1
            $0.passSeconds += seconds
            if failed { $0.failedPasses += 1 }
        }
    }

    func record(_ report: ApplyReport) {
        counters.withLock { counters in
            counters.resourcesSynced += report.prepared.plan.resources.count
            for record in report.records {
                if record.outcome.succeeded { counters.stepsSucceeded += 1 } else { counters.stepsFailed += 1 }
            }
            var drift: [String: Int] = [:]
            for plan in report.prepared.plan.resources where plan.action == .update || plan.action == .warn {
                drift[plan.id.kind.rawValue, default: 0] += 1
            }
            counters.driftByKind = drift
        }
    }
}

extension Atomic where Value == Int {
    func add(_ value: Int) { _ = wrappingAdd(value, ordering: .relaxed) }
    func store(_ value: Int) { store(value, ordering: .relaxed) }
}
