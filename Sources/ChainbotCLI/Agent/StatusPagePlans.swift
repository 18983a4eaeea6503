import ChainbotCore
import ChainbotEngine
import Synchronization

/// What the agent's last pass over each resource found, kept in memory for the status page's detail
/// view: the field changes between observed and desired (the diff `chainbot diff` shows), the steps it
/// planned, and whether applying them succeeded. The store keeps statuses, not observed state; this is
/// the one place the page learns what differed.
final class StatusPagePlans: Sendable {
    /// One resource's last look.
    struct Entry: Sendable, Hashable {
        enum Outcome: String, Sendable, Hashable {
            /// Nothing differed.
            case unchanged
            /// The differences were corrected: every step succeeded.
            case applied
            /// A step failed or was blocked: the differences stay.
            case failed
            /// Reported, not corrected: held (suspended), drift policy `warn`, or a prune waiting for `--prune`.
            case reported
        }

        var plan: ResourcePlan
        /// The planned steps' actions, in order.
        var steps: [String]
        var outcome: Outcome
        /// When the pass that made this entry ended.
        var at: Timestamp
    }

    private let entries = Mutex<[ResourceID: Entry]>([:])

    init() {}

    /// Keeps what `report`'s pass found for each resource it planned (others keep their earlier entry).
    func record(_ report: ApplyReport, at now: Timestamp = .now()) {
        var outcomes: [Int: StepOutcome] = [:]
        for record in report.records { outcomes[record.step.index] = record.outcome }
        let plan = report.prepared.plan
        var fresh: [ResourceID: Entry] = [:]
        for resource in plan.resources {
            let steps = resource.steps.compactMap { plan.steps.indices.contains($0) ? plan.steps[$0] : nil }
            fresh[resource.id] = Entry(
                plan: resource, steps: steps.map(\.action.description),
                outcome: Self.outcome(resource, outcomes), at: now)
        }
        let gone = Set(report.pruned)
        entries.withLock { entries in
            entries.merge(fresh) { _, new in new }
            for id in gone { entries[id] = nil }
        }
    }

    /// The last look at `id`, if the agent has planned it since it started.
    func entry(_ id: ResourceID) -> Entry? {
        entries.withLock { $0[id] }
    }

    private static func outcome(_ resource: ResourcePlan, _ outcomes: [Int: StepOutcome]) -> Entry.Outcome {
        if resource.held != nil || resource.action == .warn || resource.deferred { return .reported }
        if resource.changes.isEmpty && resource.steps.isEmpty { return .unchanged }
        let succeeded = resource.steps.allSatisfy { outcomes[$0]?.succeeded == true }
        return succeeded ? .applied : .failed
    }
}
