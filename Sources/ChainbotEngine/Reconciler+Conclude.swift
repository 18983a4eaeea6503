import ChainbotCore

extension Reconciler {
    /// What the run did, from its step records: the report, the record to commit (without the owed
    /// steps, the events and the summary's JSON) and the revision's summary, encoded only when a revision
    /// is recorded (a pass that changes nothing records none, and encoding every spec cost it a tenth).
    func conclude(_ prepared: PreparedRun, records: [StepRecord], generation: String) -> (
        ApplyReport, RunRecord, RevisionSummary
    ) {
        let plan = prepared.plan
        var outcomes: [Int: StepOutcome] = [:]
        for record in records { outcomes[record.step.index] = record.outcome }
        var report = ApplyReport(
            prepared: prepared, records: records, revision: nil, changed: [], unchanged: [],
            failed: prepared.failures.map(\.id), pruned: [])
        var applied: [AppliedResource] = []
        var forgotten: [ResourceID] = []
        let specs = Dictionary(uniqueKeysWithValues: prepared.desired.map { ($0.id, $0.spec) })
        for resource in plan.resources where !resource.deferred {
            let succeeded = resource.steps.allSatisfy { outcomes[$0]?.succeeded == true }
            guard succeeded else {
                report.failed.append(resource.id)
                continue
            }
            switch resource.action {
            case .create, .update, .unchanged:
                guard let spec = specs[resource.id] else { continue }
                let previous = prepared.applied[resource.id]
                let created = resource.action == .create || (previous?.createdByChainbot ?? false)
                if resource.action == .unchanged, previous?.spec == spec, previous?.createdByChainbot == created {
                    report.unchanged.append(resource.id)
                    continue
                }
                let json = SpecCoding.encode(spec)
                applied.append(
                    AppliedResource(
                        kind: resource.id.kind.rawValue, name: resource.id.name, specJSON: json,
                        specHash: SpecCoding.digest(json), generation: generation, appliedAt: now(),
                        createdByChainbot: created))
                if resource.action == .unchanged {
                    report.unchanged.append(resource.id)
                } else {
                    report.changed.append(resource.id)
                }
            case .prune, .forget:
                forgotten.append(resource.id)
                report.pruned.append(resource.id)
            case .warn:
                report.unchanged.append(resource.id)
            }
        }
        let summary = RevisionSummary(
            changed: report.changed.count, unchanged: report.unchanged.count, failed: report.failed.count,
            pruned: report.pruned.count, resources: prepared.desired.map(SpecCoding.Record.init))
        let outcome: Revision.Outcome =
            report.failed.isEmpty ? .succeeded : (records.contains { $0.outcome.succeeded } ? .partial : .failed)
        let record = RunRecord(outcome: outcome, summaryJSON: nil, applied: applied, forgotten: forgotten)
        return (report, record, summary)
    }

    /// A step record as the store keeps it.
    static func revisionStep(_ record: StepRecord) -> RevisionStep {
        let (outcome, error): (RevisionStep.Outcome, String?) =
            switch record.outcome {
            case .succeeded: (.succeeded, nil)
            case .failed(let failure): (.failed, failure.description)
            case .blocked(let blocker): (.skipped, "blocked by step \(blocker + 1)")
            }
        return RevisionStep(
            kind: record.step.resource.kind.rawValue, name: record.step.resource.name,
            action: record.step.action.description, outcome: outcome, error: error, startedAt: record.startedAt,
            finishedAt: record.finishedAt)
    }
}
