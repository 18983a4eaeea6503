import ChainbotCore
import ChainbotEngine
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

    let resyncs = Atomic<Int>(0)
    let queueDepth = Atomic<Int>(0)
    private let counters = Mutex(Counters())

    func snapshot() -> Counters { counters.withLock { $0 } }

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
