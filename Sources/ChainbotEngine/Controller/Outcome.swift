public import ChainbotCore

/// What syncing one key came to, and so when the controller looks at it again (controller-runtime's
/// `Result` and `TerminalError`). Level-based: a converged key comes back at the next resync or trigger.
public enum Outcome: Sendable, Hashable {
    /// The host matches the desired spec.
    case converged
    /// Converged for now; look again after the duration (a Watchtower target's probe interval).
    case requeueAfter(Duration)
    /// Failed in a way a later attempt can outlive: back off, then retry (sooner when `requeueAfter` is
    /// sooner than the backoff).
    case retryable(String, requeueAfter: Duration? = nil)
    /// Failed in a way retrying cannot fix: reported, not retried until the desired spec or the
    /// manifests change (a periodic probe still comes back after `requeueAfter`).
    case terminal(String, requeueAfter: Duration? = nil)

    public var failed: Bool {
        switch self {
        case .converged, .requeueAfter: false
        case .retryable, .terminal: true
        }
    }
}

extension ApplyReport {
    /// One outcome per key of `batch`: a failed resource is terminal when every error it met says a retry
    /// cannot help (`ProviderError.retryable` false) and no step of it was left unrun or blocked by another
    /// resource's step; any other
    /// failure is retryable. Watchtower targets probed more often than `resync` come back at their interval.
    public func outcomes(for batch: Set<ResourceID>, resync: Duration) -> [ResourceID: Outcome] {
        let failedIDs = Set(failed)
        var errors: [ResourceID: [ProviderError]] = [:]
        var unsettled: Set<ResourceID> = []
        for failure in prepared.failures { errors[failure.id, default: []].append(failure.error) }
        var stepOutcomes: [Int: StepOutcome] = [:]
        for record in records { stepOutcomes[record.step.index] = record.outcome }
        let owners = Dictionary(prepared.plan.steps.map { ($0.index, $0.resource) }) { first, _ in first }
        for resource in prepared.plan.resources where failedIDs.contains(resource.id) {
            for index in resource.steps {
                switch stepOutcomes[index] {
                case .failed(let error)?: errors[resource.id, default: []].append(error)
                // Blocked by another resource's step: that one may recover. Blocked by its own failed step:
                // that step's error decides.
                case .blocked(let blocker)?:
                    if owners[blocker] != resource.id { unsettled.insert(resource.id) }
                case nil: unsettled.insert(resource.id)
                case .succeeded?: break
                }
            }
        }
        var periods: [ResourceID: Duration] = [:]
        for resource in prepared.desired where batch.contains(resource.id) {
            if case .watchtowerTarget(let target) = resource.spec, target.interval < resync {
                periods[resource.id] = target.interval
            }
        }
        var result: [ResourceID: Outcome] = [:]
        for id in batch {
            let period = periods[id]
            guard failedIDs.contains(id) else {
                result[id] = period.map(Outcome.requeueAfter) ?? .converged
                continue
            }
            let met = errors[id] ?? []
            let message = met.first?.message ?? "not converged"
            if !met.isEmpty, !unsettled.contains(id), met.allSatisfy({ !$0.retryable }) {
                result[id] = .terminal(message, requeueAfter: period)
            } else {
                result[id] = .retryable(message, requeueAfter: period)
            }
        }
        return result
    }
}
