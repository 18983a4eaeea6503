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
        for owed in try store.allPending() where planned.contains(where: { $0.id == owed.resource }) {
            input.pending[owed.resource, default: []].append(owed)
        }
        let plan = try Planner(providers: providers).plan(input, allowPruningEverything: force)
        var prepared = PreparedRun(
            plan: plan, failures: failures, desired: desired, applied: applied, unmanaged: unmanaged)
        prepared.providers = providers
        return prepared
    }

    /// Runs the prepared plan and records it: a revision with every step, and the last-applied specs of
    /// the resources whose steps all succeeded.
    public func apply(
        _ prepared: PreparedRun, generation: String, gitCommit: String?,
        progress: @Sendable (Step, StepOutcome?) -> Void = { _, _ in }
    ) async throws -> ApplyReport {
        let plan = prepared.plan
        let owed = try recordIntent(prepared, generation: generation)
        let records = await Executor(
            providers: prepared.providers.isEmpty ? providers : prepared.providers, now: now
        ).run(plan, progress: progress)
        var outcomes: [Int: StepOutcome] = [:]
        for record in records { outcomes[record.step.index] = record.outcome }
        var report = ApplyReport(
            prepared: prepared, records: records, revision: nil, changed: [], unchanged: [],
            failed: prepared.failures.map(\.id), pruned: [])
        let specs = Dictionary(uniqueKeysWithValues: prepared.desired.map { ($0.id, $0.spec) })
        var inventoryChanged = false
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
                try store.recordApplied(
                    AppliedResource(
                        kind: resource.id.kind.rawValue, name: resource.id.name, specJSON: json,
                        specHash: SpecCoding.digest(json), generation: generation, appliedAt: now(),
                        createdByChainbot: created))
                inventoryChanged = true
                if resource.action == .unchanged {
                    report.unchanged.append(resource.id)
                } else {
                    report.changed.append(resource.id)
                }
            case .prune, .forget:
                try store.deleteApplied(kind: resource.id.kind.rawValue, name: resource.id.name)
                inventoryChanged = true
                report.pruned.append(resource.id)
            case .warn:
                report.unchanged.append(resource.id)
            }
        }
        try settle(owed, plan: plan, records: records)
        if !records.isEmpty || inventoryChanged || !report.failed.isEmpty {
            report.revision = try record(report, generation: generation, gitCommit: gitCommit)
        }
        try recordEvents(report, generation: generation)
        return report
    }

    private func record(_ report: ApplyReport, generation: String, gitCommit: String?) throws -> Revision {
        let revision = try store.beginRevision(generation: generation, gitCommit: gitCommit)
        for record in report.records {
            let (outcome, error): (RevisionStep.Outcome, String?) =
                switch record.outcome {
                case .succeeded: (.succeeded, nil)
                case .failed(let failure): (.failed, failure.description)
                case .blocked(let blocker): (.skipped, "blocked by step \(blocker + 1)")
                }
            try store.addStep(
                RevisionStep(
                    kind: record.step.resource.kind.rawValue, name: record.step.resource.name,
                    action: record.step.action.description, outcome: outcome, error: error,
                    startedAt: record.startedAt, finishedAt: record.finishedAt),
                toRevision: revision.id)
        }
        let summary = RevisionSummary(
            changed: report.changed.count, unchanged: report.unchanged.count, failed: report.failed.count,
            pruned: report.pruned.count, resources: report.prepared.desired.map(SpecCoding.Record.init))
        let outcome: Revision.Outcome =
            report.failed.isEmpty ? .succeeded : (report.records.contains { $0.outcome.succeeded } ? .partial : .failed)
        return try store.finishRevision(revision.id, outcome: outcome, summaryJSON: SpecCoding.encode(summary))
    }
}

/// What a revision's summary JSON holds: counts, and the desired resources for `rollback`.
public struct RevisionSummary: Sendable, Codable {
    public var changed: Int
    public var unchanged: Int
    public var failed: Int
    public var pruned: Int
    public var resources: [SpecCoding.Record]
}
