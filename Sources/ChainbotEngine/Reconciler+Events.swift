import ChainbotCore

extension Reconciler {
    /// Records what an apply found and did as events (DESIGN.md §6), in plan order, each also enqueued in
    /// the outbox when events go to ALEX OS: `DriftDetected` for a resource that differed from its
    /// manifest, `Applied` when its steps succeeded, `ApplyFailed` per failed step (`FirewallReverted` for a firewall put back), `Pruned`, and
    /// `ObserveFailed` for a resource that could not be rendered or observed.
    ///
    /// Messages name facets and their values as plans show them (secrets only as digests).
    func recordEvents(_ report: ApplyReport, generation: String) throws {
        let plan = report.prepared.plan
        let failedSteps = Dictionary(grouping: report.records.filter { !$0.outcome.succeeded }) { $0.step.resource }
        let failed = Set(report.failed)
        for failure in report.prepared.failures {
            try record(.warning, "ObserveFailed", failure.id, failure.error.message, generation)
        }
        for resource in plan.resources where !resource.deferred {
            let id = resource.id
            switch resource.action {
            case .update, .warn:
                let policy =
                    resource.held.map { " (held, \($0): not changed)" }
                    ?? (resource.action == .warn ? " (drift policy warn: not changed)" : "")
                try record(
                    resource.action == .warn ? .warning : .normal, "DriftDetected", id,
                    Self.describe(resource.changes, notes: resource.notes) + policy, generation)
            case .create, .prune, .forget, .unchanged:
                break
            }
            // Steps left out because they would have changed a held resource.
            let notes = resource.held == nil ? resource.notes.filter { $0.hasPrefix("held: ") } : []
            if !notes.isEmpty { try record(.normal, "Held", id, notes.joined(separator: "; "), generation) }
            for stepRecord in failedSteps[id] ?? [] {
                guard case .failed(let error) = stepRecord.outcome else { continue }
                // A firewall that was loaded and then put back is its own reason (DESIGN §6).
                let reason = error.message.hasPrefix("firewall reverted") ? "FirewallReverted" : "ApplyFailed"
                try record(.warning, reason, id, "\(stepRecord.step.action): \(error.message)", generation)
            }
            if failed.contains(id) { continue }
            switch resource.action {
            case .create where report.changed.contains(id):
                try record(.normal, "Applied", id, "created", generation)
            case .update where report.changed.contains(id):
                try record(.normal, "Applied", id, "updated: " + Self.describe(resource.changes), generation)
            case .prune where report.pruned.contains(id):
                try record(.normal, "Pruned", id, "removed: it left the manifests", generation)
            default:
                break
            }
        }
    }

    private func record(
        _ type: Event.EventType, _ reason: String, _ id: ResourceID, _ message: String, _ generation: String
    ) throws {
        try store.recordEvent(
            Event(
                type: type, reason: reason, regardingKind: id.kind.rawValue, regardingName: id.name, message: message,
                generation: generation),
            outboxPayload: outboxPayload)
    }

    /// `version 1.0.0 → 1.1.0, capabilities [a] → [a, b]`, or `steps needed` when no facet differs.
    static func describe(_ changes: [FieldChange], notes: [String] = []) -> String {
        if changes.isEmpty {
            let owed = notes.filter { $0.hasPrefix("owed ") }
            return owed.isEmpty ? "steps needed" : owed.joined(separator: "; ")
        }
        return changes.map { "\($0.facet) \($0.from) → \($0.to)" }.joined(separator: ", ")
    }
}
