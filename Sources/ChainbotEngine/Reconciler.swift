public import ChainbotCore

/// A resource chainbot could not render or observe, and why.
public struct ResourceFailure: Sendable, Hashable {
    public var id: ResourceID
    public var error: ProviderError

    public init(id: ResourceID, error: ProviderError) {
        self.id = id
        self.error = error
    }
}

/// The result of looking: the plan, plus the resources that could not be planned.
public struct PreparedRun: Sendable {
    public var plan: Plan
    public var failures: [ResourceFailure]
    public var desired: [Resource]
    public var applied: [ResourceID: AppliedSpec]
    /// Desired resources of kinds no provider manages in this build: validated, not compared.
    public var unmanaged: [ResourceID]
    /// The providers bound to this run's desired set, which run the plan's steps.
    public var providers: [any Provider] = []
    /// Every step owed when the run was prepared (read once; planning used those of the planned resources,
    /// applying settles them all).
    public var owed: [PendingStep] = []

    public init(
        plan: Plan, failures: [ResourceFailure], desired: [Resource], applied: [ResourceID: AppliedSpec],
        unmanaged: [ResourceID] = []
    ) {
        self.plan = plan
        self.failures = failures
        self.desired = desired
        self.applied = applied
        self.unmanaged = unmanaged
    }
}

/// What an apply did.
public struct ApplyReport: Sendable {
    public var prepared: PreparedRun
    public var records: [StepRecord]
    public var revision: Revision?
    public var changed: [ResourceID]
    public var unchanged: [ResourceID]
    public var failed: [ResourceID]
    public var pruned: [ResourceID]

    /// True when every step succeeded and every resource could be planned.
    public var converged: Bool { failed.isEmpty && prepared.failures.isEmpty }
}

/// Observe → plan → apply → record, once: the engine behind `diff`, `apply` and (later) the agent.
public struct Reconciler: Sendable {
    let providers: [any Provider]
    let store: any StateStore
    let now: @Sendable () -> Timestamp
    /// Renders the outbox payload of each event occurrence when events go to ALEX OS (the webhook
    /// envelope, given the counted event and its idempotency key); nil keeps events in the store only.
    let outboxPayload: (@Sendable (StoredEvent, String) -> String)?

    public init(
        providers: [any Provider], store: any StateStore, now: @escaping @Sendable () -> Timestamp,
        outboxPayload: (@Sendable (StoredEvent, String) -> String)? = nil
    ) {
        self.providers = providers
        self.store = store
        self.now = now
        self.outboxPayload = outboxPayload
    }

    /// Renders, observes and plans `desired` against the host and the store; touches nothing.
    ///
    /// `whole` is the complete manifest set when `desired` is a selection of it (`--kind`): resources that
    /// render together (the firewall table) are rendered from all of it, and only resources of the
    /// selected `kinds` are compared or pruned.
    ///
    /// `ids` narrows further to single resources (the agent syncs the items its work queue hands out): only
    /// those are compared, pruned or forgotten.
    ///
    /// `held` names the resources no step may change (`chainbot suspend`), with why. Held resources of
    /// `whole` are always observed and planned too, so a step of another resource that would reach one
    /// (a Port restarting its held owner, one firewall table) is seen and left out.
    public func prepare(
        _ desired: [Resource], prune: Bool, force: Bool, whole: [Resource]? = nil, kinds: Set<Kind>? = nil,
        ids: Set<ResourceID>? = nil, held: [ResourceID: String] = [:]
    ) async throws -> PreparedRun {
        var given = desired
        var ids = ids
        if !held.isEmpty {
            let present = Set(given.map(\.id))
            given += (whole ?? given).filter { held[$0.id] != nil && !present.contains($0.id) }
            ids?.formUnion(held.keys)
        }
        let managed = Set(providers.flatMap(\.kinds))
        let unmanaged = given.filter { !managed.contains($0.id.kind) }.map(\.id)
        let desired = given.filter { managed.contains($0.id.kind) }
        var applied: [ResourceID: AppliedSpec] = [:]
        for record in try store.allApplied() {
            guard let kind = Kind(rawValue: record.kind), managed.contains(kind), kinds?.contains(kind) ?? true,
                ids?.contains(ResourceID(kind, record.name)) ?? true,
                let spec = SpecCoding.decode(ResourceSpec.self, from: record.specJSON)
            else { continue }
            applied[ResourceID(kind, record.name)] = AppliedSpec(
                spec: spec, createdByChainbot: record.createdByChainbot)
        }
        let appliedSpecs = applied.mapValues(\.spec)
        let context = (whole ?? desired).filter { managed.contains($0.id.kind) }
        let providers = self.providers.map { $0.bound(to: context, applied: appliedSpecs) }
        var failures: [ResourceFailure] = []
        var rendered: [ResourceID: [Facet]] = [:]
        var observed: [ResourceID: ObservedResource] = [:]
        var planned = desired
        let desiredIDs = Set(desired.map(\.id))
        for provider in providers {
            let mine = desired.filter { provider.kinds.contains($0.id.kind) }
            var targets: [ObserveTarget] = []
            for resource in mine {
                do {
                    rendered[resource.id] = try await provider.render(
                        resource.id, spec: resource.spec, previous: applied[resource.id]?.spec)
                    targets.append(
                        ObserveTarget(id: resource.id, spec: resource.spec, previous: applied[resource.id]?.spec))
                } catch {
                    failures.append(ResourceFailure(id: resource.id, error: error))
                }
            }
            for (id, record) in applied where provider.kinds.contains(id.kind) && !desiredIDs.contains(id) {
                targets.append(ObserveTarget(id: id, spec: record.spec, previous: record.spec))
            }
            // A provider with nothing to look at in this run (the agent syncing one Watchtower target,
            // say) is not asked: no `systemctl show` or `nft list` for nothing.
            if targets.isEmpty { continue }
            do {
                let seen = try await provider.observe(targets.sorted { $0.id < $1.id })
                observed.merge(seen) { first, _ in first }
            } catch {
                for target in targets { failures.append(ResourceFailure(id: target.id, error: error)) }
            }
        }
        let failed = Set(failures.map(\.id))
        planned = planned.filter { !failed.contains($0.id) }
        let plannable = applied.filter { !failed.contains($0.key) }
        var input = PlanInput(
            desired: planned, rendered: rendered, observed: observed, applied: plannable, prune: prune)
        input.held = held
        let owed = try store.allPending()
        let plannedIDs = Set(planned.map(\.id))
        for step in owed where plannedIDs.contains(step.resource) {
            input.pending[step.resource, default: []].append(step)
        }
        let plan = try Planner(providers: providers).plan(input, allowPruningEverything: force)
        var prepared = PreparedRun(
            plan: plan, failures: failures, desired: desired, applied: applied, unmanaged: unmanaged)
        prepared.providers = providers
        prepared.owed = owed
        return prepared
    }

    /// Runs the prepared plan and records it: intent before action (DESIGN §6).
    ///
    /// Call it holding the state lock. First, revisions left unfinished by a run that died are finished
    /// as `interrupted` (with an `ApplyInterrupted` event). Then, before the first step, one transaction
    /// commits the revision with every planned step, the resources the plan creates as created by
    /// chainbot, and the steps it will owe; when that fails (`RunNotStarted`) nothing is applied. Each
    /// group of steps' outcomes is committed as it finishes, and the run ends in one transaction with the
    /// revision's outcome, the last-applied inventory, the owed steps settled and the run's events.
    public func apply(
        _ prepared: PreparedRun, generation: String, gitCommit: String?,
        progress: @Sendable (Step, StepOutcome?) -> Void = { _, _ in }
    ) async throws -> ApplyReport {
        let plan = prepared.plan
        let (intent, owed) = runIntent(prepared, generation: generation, gitCommit: gitCommit)
        var revision: Revision?
        do throws(StoreError) {
            for found in try store.interruptUnfinishedRevisions() {
                try store.recordEvent(Self.interruptedEvent(found), outboxPayload: outboxPayload)
            }
            if !plan.steps.isEmpty { revision = try store.beginRun(intent) }
        } catch {
            throw RunNotStarted(cause: error)
        }
        var recordingError: StoreError?
        let records = await Executor(
            providers: prepared.providers.isEmpty ? providers : prepared.providers, now: now
        ).run(plan, progress: progress) { batch in
            guard let revision else { return true }
            do throws(StoreError) {
                try store.recordStepOutcomes(
                    batch.map { (seq: $0.step.index + 1, step: Self.revisionStep($0)) }, revision: revision.id)
                return true
            } catch {
                // The store stopped taking writes: run nothing more that it could not record.
                recordingError = error
                return false
            }
        }
        if let recordingError { throw recordingError }
        var (report, record) = conclude(prepared, records: records, generation: generation)
        (record.pendingDone, record.pendingFailed) = settle(owed, plan: plan, records: records)
        record.events = events(report, generation: generation)
        record.outboxPayload = outboxPayload
        if revision == nil, !record.applied.isEmpty || !record.forgotten.isEmpty || !report.failed.isEmpty {
            revision = try store.beginRun(RunIntent(generation: generation, gitCommit: gitCommit, steps: []))
        }
        if let revision {
            report.revision = try store.finishRun(revision.id, record)
        } else {
            for event in record.events { try store.recordEvent(event, outboxPayload: outboxPayload) }
        }
        return report
    }

    /// What the run did, from its step records: the report, and the record to commit (without the owed
    /// steps and events).
    private func conclude(_ prepared: PreparedRun, records: [StepRecord], generation: String) -> (
        ApplyReport, RunRecord
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
                let json = SpecCoding.encode(spec)
                let previous = prepared.applied[resource.id]
                let created = resource.action == .create || (previous?.createdByChainbot ?? false)
                if resource.action == .unchanged, previous?.spec == spec, previous?.createdByChainbot == created {
                    report.unchanged.append(resource.id)
                    continue
                }
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
        let record = RunRecord(
            outcome: outcome, summaryJSON: SpecCoding.encode(summary), applied: applied, forgotten: forgotten)
        return (report, record)
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

/// The state file could not be written before the first step, so no step ran: nothing was changed.
public struct RunNotStarted: Error, CustomStringConvertible {
    public var cause: StoreError

    public var description: String { "before any step: \(cause); nothing was changed" }
}

/// What a revision's summary JSON holds: counts, and the desired resources for `rollback`.
public struct RevisionSummary: Sendable, Codable {
    public var changed: Int
    public var unchanged: Int
    public var failed: Int
    public var pruned: Int
    public var resources: [SpecCoding.Record]
}
