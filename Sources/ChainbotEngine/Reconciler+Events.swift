import ChainbotCore

extension Reconciler {
    /// Records what an apply found and did as events (DESIGN.md §6), in plan order, each also enqueued in
    /// the outbox when events go to ALEX OS: `DriftDetected` for a resource that differed from its
    /// manifest, `Applied` when its steps succeeded, `ApplyFailed` per failed step (`FirewallReverted` for a firewall put back), `Pruned`, and
    /// `ObserveFailed` for a resource that could not be rendered or observed.
    ///
    /// Messages name facets and their values as plans show them (secrets only as digests). The events are
    /// committed with the revision's end (`StateStore.finishRun`): all of them or none.
    func events(_ report: ApplyReport, generation: String) -> [Event] {
        var events: [Event] = []
        func record(
            _ type: Event.EventType, _ reason: Event.Reason, _ id: ResourceID, _ message: String, _ generation: String
        ) {
            events.append(
                Event(
                    type: type, reason: reason, regarding: id, message: message, generation: generation))
        }
        let plan = report.prepared.plan
        let failedSteps = Dictionary(grouping: report.records.filter { !$0.outcome.succeeded }) { $0.step.resource }
        let failed = Set(report.failed)
        for failure in report.prepared.failures {
            record(.warning, .observeFailed, failure.id, failure.error.message, generation)
        }
        for resource in plan.resources where !resource.deferred {
            let id = resource.id
            switch resource.action {
            case .update where resource.desiredChanged && resource.held == nil:
                // The manifests moved, the host did not: its `Applied` ("updated: …") below says what changed.
                break
            case .update, .warn:
                let policy =
                    resource.held.map { " (held, \($0): not changed)" }
                    ?? (resource.action == .warn ? " (drift policy warn: not changed)" : "")
                record(
                    resource.action == .warn ? .warning : .normal, .driftDetected, id,
                    Self.describe(resource.changes, owed: resource.owed) + policy, generation)
            case .create, .prune, .forget, .unchanged:
                break
            }
            // Steps left out because they would have changed a held resource.
            let notes = resource.held == nil ? resource.leftOut : []
            if !notes.isEmpty { record(.normal, .held, id, notes.joined(separator: "; "), generation) }
            for stepRecord in failedSteps[id] ?? [] {
                guard case .failed(let error) = stepRecord.outcome else { continue }
                // A firewall that was loaded and then put back is its own reason (DESIGN §6).
                let reason: Event.Reason = error.code == .firewallReverted ? .firewallReverted : .applyFailed
                record(.warning, reason, id, "\(stepRecord.step.action): \(error.message)", generation)
            }
            if failed.contains(id) { continue }
            switch resource.action {
            case .create where report.changed.contains(id):
                record(.normal, .applied, id, "created", generation)
            case .update where report.changed.contains(id):
                record(.normal, .applied, id, "updated: " + Self.describe(resource.changes), generation)
            case .prune where report.pruned.contains(id):
                record(.normal, .pruned, id, "removed: it left the manifests", generation)
            default:
                break
            }
        }
        return events
    }

    /// `ApplyInterrupted` for a revision whose run died: which steps were recorded, and the last one that
    /// finished. It regards the step that was not recorded (it may have been running), else the last one.
    static func interruptedEvent(_ found: InterruptedRevision) -> Event {
        let revision = found.revision
        var message = "revision \(revision.id) was interrupted"
        if let seq = found.lastCompletedSeq, let step = found.lastCompletedStep {
            message +=
                " after step \(seq) of \(found.plannedSteps) (\(step.reference): \(step.action), \(step.outcome.rawValue))"
        } else {
            message += " before any of its \(found.plannedSteps) steps finished"
        }
        if let seq = found.firstUnrecordedSeq, let step = found.firstUnrecordedStep {
            message += "; step \(seq) (\(step.reference): \(step.action)) may have run"
        }
        message += "; the host is observed again and converged from there"
        let regarding = found.firstUnrecordedStep ?? found.lastCompletedStep
        return Event(
            type: .warning, reason: .applyInterrupted, regardingKind: regarding?.kind ?? "Revision",
            regardingName: regarding?.name ?? String(revision.id), message: message,
            generation: revision.generation)
    }

    /// `version 1.0.0 → 1.1.0, capabilities [a] → [a, b]`, or `steps needed` when no facet differs.
    static func describe(_ changes: [FieldChange], owed: [String] = []) -> String {
        if changes.isEmpty {
            return owed.isEmpty ? "steps needed" : owed.joined(separator: "; ")
        }
        return changes.map { "\($0.facet) \($0.from) → \($0.to)" }.joined(separator: ", ")
    }
}
