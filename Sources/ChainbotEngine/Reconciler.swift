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
    /// `ApplyInterrupted` events for the revisions this run found unfinished (their runs died) before it
    /// began.
    public var interruptions: [Event] = []

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
        let applied = try appliedSpecs(managed: managed, kinds: kinds, ids: ids)
        let context = (whole ?? desired).filter { managed.contains($0.id.kind) }
        let providers = self.providers.map { $0.bound(to: context, applied: applied.mapValues(\.spec)) }
        let looked = await look(desired, applied: applied, providers: providers)
        let failed = Set(looked.failures.map(\.id))
        let planned = desired.filter { !failed.contains($0.id) }
        var input = PlanInput(
            desired: planned, rendered: looked.rendered, observed: looked.observed,
            applied: applied.filter { !failed.contains($0.key) }, prune: prune)
        input.held = held
        let owed = try store.allPending()
        let plannedIDs = Set(planned.map(\.id))
        for step in owed where plannedIDs.contains(step.resource) {
            input.pending[step.resource, default: []].append(step)
        }
        let plan = try Planner(providers: providers).plan(input, allowPruningEverything: force)
        var prepared = PreparedRun(
            plan: plan, failures: looked.failures, desired: desired, applied: applied, unmanaged: unmanaged)
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
        var interruptions: [Event] = []
        do throws(StoreError) {
            for found in try store.interruptUnfinishedRevisions() {
                interruptions.append(Self.interruptedEvent(found))
                try store.recordEvent(interruptions[interruptions.count - 1], outboxPayload: outboxPayload)
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
        var (report, record, summary) = conclude(prepared, records: records, generation: generation)
        report.interruptions = interruptions
        (record.pendingDone, record.pendingFailed) = settle(owed, plan: plan, records: records)
        record.events = events(report, generation: generation)
        record.outboxPayload = outboxPayload
        if revision == nil, !record.applied.isEmpty || !record.forgotten.isEmpty || !report.failed.isEmpty {
            revision = try store.beginRun(RunIntent(generation: generation, gitCommit: gitCommit, steps: []))
        }
        if let revision {
            record.summaryJSON = SpecCoding.encode(summary)
            report.revision = try store.finishRun(revision.id, record)
        } else {
            for event in record.events { try store.recordEvent(event, outboxPayload: outboxPayload) }
        }
        return report
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
