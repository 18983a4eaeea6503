public import ChainbotCore

/// Turns one run (a plan, and what applying it did) into each resource's status, and `HealthChanged`
/// events when a resource's health moved. The Reconciler records the other events (drift, applied,
/// failed, pruned) as it applies.
public struct StatusBuilder: Sendable {
    public var generation: String
    public var now: Timestamp
    /// The statuses stored before this run, by `Kind/name`, for transition times and health changes.
    public var previous: [String: ResourceStatus]

    public init(generation: String, now: Timestamp, previous: [ResourceStatus]) {
        self.generation = generation
        self.now = now
        self.previous = Dictionary(previous.map { ($0.reference, $0) }) { first, _ in first }
    }

    /// What a run produced: statuses to store, events to record, and resources whose status must go.
    public struct Result: Sendable {
        public var statuses: [ResourceStatus] = []
        public var events: [Event] = []
        public var removed: [ResourceID] = []

        public init() {}

        /// Stores the statuses, forgets the removed resources' and records the events (also in the outbox
        /// when `outboxPayload` renders them). Best effort: a status that cannot be written now is written
        /// on the next run.
        public func save(to store: any StateStore, outboxPayload: (@Sendable (StoredEvent, String) -> String)?) {
            for status in statuses { try? store.recordStatus(status) }
            for id in removed { try? store.deleteStatus(id) }
            for event in events { _ = try? store.recordEvent(event, outboxPayload: outboxPayload) }
        }
    }

    /// The statuses and events of `prepared`, applied as `report` says (nil: only looked, as `diff`).
    public func build(_ prepared: PreparedRun, report: ApplyReport?, suspended: Set<ResourceID> = []) -> Result {
        var result = Result()
        var outcomes: [Int: StepOutcome] = [:]
        for record in report?.records ?? [] { outcomes[record.step.index] = record.outcome }
        for failure in prepared.failures {
            let message = failure.error.message
            result.statuses.append(
                status(
                    failure.id, sync: .unknown, syncReason: .observeFailed, syncMessage: message, health: .unknown,
                    healthReason: message))
        }
        for plan in prepared.plan.resources {
            switch entry(plan, outcomes: outcomes, report: report, suspended: suspended) {
            case .status(let status): result.statuses.append(status)
            case .removed: result.removed.append(plan.id)
            }
        }
        applyThresholds(&result, prepared)
        result.events = healthEvents(result.statuses, desired: prepared.desired)
        return result
    }

    /// A planned resource's status, or its removal (a prune that ran).
    private enum Entry {
        case status(ResourceStatus)
        case removed
    }

    private func entry(
        _ plan: ResourcePlan, outcomes: [Int: StepOutcome], report: ApplyReport?, suspended: Set<ResourceID>
    ) -> Entry {
        let id = plan.id
        // With no facet changed, what is owed (a restart after an earlier write) is the difference.
        let changed =
            plan.changes.isEmpty
            ? plan.owed.joined(separator: "; ")
            : plan.changes.map(\.facet).joined(separator: ", ")
        if let held = plan.held ?? (suspended.contains(id) ? "suspended" : nil) {
            let sync: ResourceStatus.Sync =
                !plan.changes.isEmpty ? .outOfSync : (plan.unobserved.isEmpty ? .synced : .unknown)
            return .status(
                status(
                    id, sync: sync, syncReason: .suspended,
                    syncMessage: "\(held): not corrected until resumed", health: plan.health,
                    healthReason: plan.healthReason))
        }
        let applied = report != nil && !plan.deferred
        let failedStep = plan.steps.compactMap { index -> ProviderError? in
            if case .failed(let error)? = outcomes[index] { return error }
            return nil
        }.first
        let blocked = plan.steps.contains { outcomes[$0].map { !$0.succeeded } ?? false }
        switch plan.action {
        case .prune, .forget:
            if applied, !blocked { return .removed }
            return .status(
                status(
                    id, sync: .outOfSync, syncReason: .leftTheManifests,
                    syncMessage: "left the manifests; apply --prune removes it", health: plan.health,
                    healthReason: plan.healthReason))
        case .warn:
            return .status(
                status(
                    id, sync: .outOfSync, syncReason: .driftWarned,
                    syncMessage: "drift in \(changed), reported only (chainbot.dev/drift: warn)",
                    health: plan.health,
                    healthReason: plan.healthReason))
        case .unchanged:
            if let unobserved = plan.unobservedSummary {
                return .status(
                    status(
                        id, sync: .unknown, syncReason: .cannotObserve, syncMessage: unobserved,
                        health: plan.health, healthReason: plan.healthReason))
            }
            return .status(
                status(
                    id, sync: .synced, syncReason: .converged, syncMessage: "matches the manifests",
                    health: plan.health, healthReason: plan.healthReason))
        case .create, .update:
            return appliedEntry(plan, changed: changed, applied: applied, blocked: blocked, failedStep: failedStep)
        }
    }

    /// The status of a resource the plan creates or changes: not yet (diff), failed, or applied.
    private func appliedEntry(
        _ plan: ResourcePlan, changed: String, applied: Bool, blocked: Bool, failedStep: ProviderError?
    ) -> Entry {
        let id = plan.id
        guard applied else {
            return .status(
                status(
                    id, sync: .outOfSync,
                    syncReason: plan.action == .create
                        ? .notCreated : plan.desiredChanged ? .desiredChanged : .driftDetected,
                    syncMessage: plan.action == .create ? "not on the host yet" : "differs in \(changed)",
                    health: plan.health, healthReason: plan.healthReason))
        }
        if blocked {
            let message = failedStep.map { $0.message } ?? "a step it needs failed"
            return .status(
                status(
                    id, sync: .outOfSync, syncReason: .applyFailed, syncMessage: message, health: plan.health,
                    healthReason: plan.healthReason))
        }
        let health: Health = plan.health == .healthy ? .healthy : .progressing
        let done = plan.action == .create ? "created" : "changed: \(changed)"
        return .status(
            status(
                id, sync: plan.unobserved.isEmpty ? .synced : .unknown,
                syncReason: plan.unobserved.isEmpty ? .applied : .cannotObserve,
                syncMessage: plan.unobservedSummary.map { "\(done); \($0)" } ?? done, health: health,
                healthReason: health == .progressing ? "applied; checked again on the next sync" : nil))
    }

    /// `HealthChanged` for each status whose health moved since the stored one.
    private func healthEvents(_ statuses: [ResourceStatus], desired: [Resource]) -> [Event] {
        var events: [Event] = []
        let severities = Self.severities(desired)
        for status in statuses {
            // Not news: settling after an apply (Progressing → Healthy), or not knowing.
            guard let before = previous[status.reference], before.health != status.health,
                status.health != .progressing, status.health != .unknown,
                !(before.health == .progressing && status.health == .healthy)
            else { continue }
            let reason = status.conditions.first { $0.type == .healthy }?.message ?? ""
            var event = Event(
                type: status.health == .healthy ? .normal : .warning, reason: .healthChanged,
                regardingKind: status.kind, regardingName: status.name,
                message: "\(before.health.rawValue) → \(status.health.rawValue)"
                    + (reason.isEmpty ? "" : ": \(reason)"),
                generation: generation)
            event.severity = status.health == .healthy ? nil : severities[status.reference]
            events.append(event)
        }
        return events
    }

    /// The severity each resource's health policy asks for when it fails (a WatchtowerTarget's), by
    /// `Kind/name`.
    public static func severities(_ desired: [Resource]) -> [String: Event.Severity] {
        var severities: [String: Event.Severity] = [:]
        for resource in desired {
            if let severity = resource.spec.healthPolicy?.severity { severities[resource.id.description] = severity }
        }
        return severities
    }

    /// Resources with a health policy (WatchtowerTargets): a probe result counts only after
    /// `failureThreshold` failures in a row (or `recoveryThreshold` passes to recover), as Watchtower itself
    /// counts; until then the reported health stays and the Healthy condition says how far the count is.
    private func applyThresholds(_ result: inout Result, _ prepared: PreparedRun) {
        var specs: [String: HealthPolicy] = [:]
        for resource in prepared.desired {
            if let policy = resource.spec.healthPolicy { specs[resource.id.description] = policy }
        }
        for index in result.statuses.indices {
            let status = result.statuses[index]
            guard let spec = specs[status.reference], status.health == .healthy || status.health == .degraded,
                let condition = status.conditions.firstIndex(where: { $0.type == .healthy })
            else { continue }
            let before = previous[status.reference]
            let shown = before.map { $0.health == .degraded ? Health.degraded : Health.healthy } ?? .healthy
            let old = before?.conditions.first { $0.type == .healthy }?.streak ?? 0
            let failing = status.health == .degraded
            // Counted up to the threshold only: past it nothing changes, so a steady target's status stays
            // the same from pass to pass and is not written again (issue 15).
            let streak =
                failing
                ? min(max(old, 0) + 1, max(spec.failureThreshold, 1))
                : max(min(old, 0) - 1, -max(spec.recoveryThreshold, 1))
            var health = status.health
            var note: String?
            if failing, shown == .healthy, streak < spec.failureThreshold {
                health = .healthy
                note = "probe failed \(streak) of \(spec.failureThreshold) times in a row before it counts"
            } else if !failing, shown == .degraded, -streak < spec.recoveryThreshold {
                health = .degraded
                note = "probe passed \(-streak) of \(spec.recoveryThreshold) times in a row before it recovers"
            }
            var updated = result.statuses[index].conditions[condition]
            updated.streak = streak
            if let note {
                updated.status = health == .healthy
                updated.reason = Condition.Reason(health)
                updated.message = note + ": " + updated.message
                if before?.conditions.first(where: { $0.type == .healthy })?.status == updated.status {
                    updated.lastTransitionTime =
                        before?.conditions.first { $0.type == .healthy }?.lastTransitionTime ?? now
                }
            }
            result.statuses[index].conditions[condition] = updated
            result.statuses[index].health = health
        }
    }

    private func status(
        _ id: ResourceID, sync: ResourceStatus.Sync, syncReason: Condition.Reason, syncMessage: String, health: Health,
        healthReason: String?
    ) -> ResourceStatus {
        let before = previous[id.description]
        func condition(
            _ type: Condition.ConditionType, _ status: Bool, _ reason: Condition.Reason, _ message: String
        ) -> Condition {
            let old = before?.conditions.first { $0.type == type }
            let since = old.map { $0.status == status ? $0.lastTransitionTime : now } ?? now
            return Condition(type: type, status: status, reason: reason, message: message, lastTransitionTime: since)
        }
        let healthy = health == .healthy
        return ResourceStatus(
            kind: id.kind.rawValue, name: id.name, sync: sync, health: health,
            conditions: [
                condition(.synced, sync == .synced, syncReason, syncMessage),
                condition(
                    .healthy, healthy, Condition.Reason(health), healthReason ?? (healthy ? "healthy" : health.rawValue)
                ),
            ], observedGeneration: generation, updatedAt: now)
    }
}
