public import ChainbotCore

/// Why a plan cannot be made.
public enum PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The manifest set is empty and pruning would remove everything chainbot manages.
    case refusingToPruneEverything(count: Int)

    public var description: String {
        switch self {
        case .refusingToPruneEverything(let count):
            "refusing to prune all \(count) managed resources: the manifest set is empty (use --force if that is really meant)"
        }
    }
}

/// Decides, without touching the host, what each resource needs and in which order the steps run.
///
/// Steps are laid out in phases so that `systemctl daemon-reload` runs once: resources before Services
/// in the implicit order, then every Service's file writes, the shared reload, every Service's
/// enable/start/restart, restarts asked for by changed ConfigFiles, the remaining kinds, and prunes last
/// in reverse order.
public struct Planner: Sendable {
    let providers: [Kind: any Provider]

    public init(providers: [any Provider]) {
        var byKind: [Kind: any Provider] = [:]
        for provider in providers {
            for kind in provider.kinds { byKind[kind] = provider }
        }
        self.providers = byKind
    }

    public func plan(_ input: PlanInput, allowPruningEverything: Bool = false) throws(PlanError) -> Plan {
        let pruned = input.applied.keys.filter { id in !input.desired.contains { $0.id == id } }.sorted()
        if input.desired.isEmpty, input.prune, !pruned.isEmpty, !allowPruningEverything {
            throw .refusingToPruneEverything(count: pruned.count)
        }
        var builder = StepBuilder()
        var plans: [ResourceID: ResourcePlan] = [:]
        var actions: [ResourceID: [StepAction]] = [:]
        let ordered = ResourceOrder.sorted(input.desired)
        for resource in ordered {
            let (plan, resourceActions) = decide(resource, input)
            plans[resource.id] = plan
            actions[resource.id] = resourceActions
        }
        let holds = Holds(input.held, desired: ordered, wouldRun: actions)
        if !holds.isEmpty { hold(holds, &plans, &actions) }
        let present = Set(ordered.map(\.id))
        let dependencies = Dictionary(
            uniqueKeysWithValues: ordered.map { ($0.id, ResourceOrder.dependencies(of: $0, in: present)) })

        // By apply rank (Host, firewall, files, units, …), as data: a rank whose actions share one step (the
        // units' daemon-reload) is phased around it, and the restarts that written files owe follow the last
        // rank holding something that restarts on notify (its own steps first).
        let ranks = Dictionary(grouping: ordered, by: \.id.kind.applyRank).sorted { $0.key < $1.key }.map(\.value)
        let restarters = ranks.lastIndex { $0.contains { input.rendered[$0.id]?.restartOnNotify != nil } }
        for (index, rank) in ranks.enumerated() {
            if rank.contains(where: { (actions[$0.id] ?? []).contains(where: \.isShared) }) {
                builder.addPhased(rank.map { ($0.id, actions[$0.id] ?? []) }, dependencies: dependencies, plans: &plans)
            } else {
                for resource in rank {
                    builder.add(
                        actions[resource.id] ?? [], for: resource.id, after: dependencies[resource.id] ?? [],
                        plans: &plans)
                }
            }
            if index == restarters { addNotifyRestarts(ordered, input, holds, &builder, &plans, actions) }
        }

        planPrunes(pruned, input, holds, &builder, &plans)
        let order = ordered.map(\.id) + pruned.reversed()
        return Plan(resources: order.compactMap { plans[$0] }, steps: builder.steps)
    }

    /// Forgets adopted resources that left the manifests and prunes, last and in reverse order, the ones
    /// chainbot created (with steps only under `--prune`, and never a held one).
    private func planPrunes(
        _ pruned: [ResourceID], _ input: PlanInput, _ holds: Holds, _ builder: inout StepBuilder,
        _ plans: inout [ResourceID: ResourcePlan]
    ) {
        var prunes: [(ResourceID, [StepAction])] = []
        var notes: [ResourceID: [String]] = [:]
        for id in pruned.reversed() {
            guard let applied = input.applied[id] else { continue }
            let observed = input.observed[id] ?? ObservedResource(id: id, facets: [:])
            let changes = observed.facets.sorted { $0.key < $1.key }.filter { $0.value != .absent }.map {
                FieldChange(resource: id, facet: $0.key, from: $0.value, to: .absent)
            }
            if !applied.createdByChainbot {
                plans[id] = ResourcePlan(id: id, action: .forget, changes: [], health: observed.health)
                continue
            }
            if let reason = input.held[id] {
                var plan = ResourcePlan(
                    id: id, action: .prune, changes: changes, health: observed.health, deferred: true)
                plan.held = reason
                plans[id] = plan
                continue
            }
            let steps =
                input.prune
                ? holds.filter(
                    providers[id.kind]?.steps(
                        for: StepRequest(
                            id: id, spec: nil, previous: applied.spec, changes: changes, observed: observed)) ?? [],
                    notes: &notes[id, default: []]) : []
            plans[id] = ResourcePlan(
                id: id, action: .prune, changes: changes, health: observed.health, deferred: !input.prune)
            plans[id]?.notes = notes[id] ?? []
            plans[id]?.leftOut = notes[id] ?? []
            prunes.append((id, steps))
        }
        builder.addPhased(prunes, dependencies: [:], plans: &plans)
    }

    /// `owed since …: systemctl restart web.service (last failure: …)`.
    static func owedNote(_ owed: PendingStep) -> String {
        "owed since \(owed.since.iso8601): \(owed.action)" + (owed.lastError.map { " (last failure: \($0))" } ?? "")
    }

    /// Held resources keep their drift as a report and lose their steps; every other resource loses the
    /// steps that would change a held one. Each step left out is a note.
    private func hold(
        _ holds: Holds, _ plans: inout [ResourceID: ResourcePlan], _ actions: inout [ResourceID: [StepAction]]
    ) {
        for (id, resourceActions) in actions {
            guard var plan = plans[id] else { continue }
            if let reason = holds.reasons[id] {
                plan.held = reason
                plan.notes += resourceActions.map { "held: \(id) is \(reason); \($0) not run" }
                if plan.action == .create || plan.action == .update { plan.action = .warn }
                actions[id] = []
            } else {
                var leftOut: [String] = []
                actions[id] = holds.filter(resourceActions, notes: &leftOut)
                plan.notes += leftOut
                plan.leftOut += leftOut
                if actions[id]?.isEmpty == true, plan.changes.isEmpty, plan.action == .update {
                    plan.action = .unchanged
                }
            }
            plans[id] = plan
        }
    }

    /// The plan and provider actions for one desired resource, respecting its drift policy.
    private func decide(_ resource: Resource, _ input: PlanInput) -> (ResourcePlan, [StepAction]) {
        let id = resource.id
        let observed = input.observed[id] ?? ObservedResource(id: id, facets: [:])
        let rendered = input.rendered[id]?.facets ?? []
        // A facet the provider could not read is neither a change nor equal: the sync is Unknown.
        let unobserved = observed.unobserved.filter { name, _ in rendered.contains { $0.name == name } }
        let changes = rendered.compactMap { facet -> FieldChange? in
            if unobserved[facet.name] != nil { return nil }
            let current = observed.facets[facet.name] ?? .absent
            return current == facet.value
                ? nil : FieldChange(resource: id, facet: facet.name, from: current, to: facet.value)
        }
        var plan = ResourcePlan(
            id: id, action: .unchanged, changes: changes, health: observed.health, healthReason: observed.healthReason)
        plan.unobserved = unobserved
        switch resource.metadata.drift {
        case .ignore:
            plan.changes = []
            plan.unobserved = [:]
            return (plan, [])
        case .warn:
            plan.action = changes.isEmpty ? .unchanged : .warn
            return (plan, [])
        case .enforce:
            var actions =
                providers[id.kind]?.steps(
                    for: StepRequest(
                        id: id, spec: resource.spec, previous: input.applied[id]?.spec, changes: changes,
                        observed: observed, rendered: input.rendered[id])) ?? []
            for owed in input.pending[id] ?? [] {
                guard let step = owed.action.step else { continue }
                plan.notes.append(Self.owedNote(owed))
                plan.owed.append(Self.owedNote(owed))
                if !actions.contains(where: { StepBuilder.covers($0, step) }) { actions.append(step) }
            }
            if !changes.isEmpty || !actions.isEmpty {
                plan.action = observed.isAbsent ? .create : .update
            }
            plan.desiredChanged = input.applied[id].map { $0.spec != resource.spec } ?? false
            return (plan, actions)
        }
    }

    /// Restarts each resource once when a file it is notified by (`notifies`, or a file it reads) is
    /// written, with the action its provider rendered for that (`restartOnNotify`: a running Service's
    /// restart, none offline), unless its own steps start or restart it anyway.
    private func addNotifyRestarts(
        _ ordered: [Resource], _ input: PlanInput, _ holds: Holds, _ builder: inout StepBuilder,
        _ plans: inout [ResourceID: ResourcePlan],
        _ actions: [ResourceID: [StepAction]]
    ) {
        var readers: [String: [ResourceID]] = [:]
        for resource in ordered {
            for path in resource.spec.readsPaths { readers[path, default: []].append(resource.id) }
        }
        var notified: [ResourceID: [ResourceID]] = [:]
        for resource in ordered {
            guard let write = builder.lastStep[resource.id], builder.steps[write].action.isFileWrite else { continue }
            let targets = resource.spec.notifies + (resource.spec.writesPath.flatMap { readers[$0] } ?? [])
            for target in Set(targets) { notified[target, default: []].append(resource.id) }
        }
        for (target, sources) in notified.sorted(by: { $0.key < $1.key }) {
            guard let restart = input.rendered[target]?.restartOnNotify, plans[target]?.action != .warn,
                plans[target] != nil
            else { continue }
            if (actions[target] ?? []).contains(where: { StepBuilder.covers($0, restart) }) { continue }
            if let holder = holds.holder(of: restart) {
                plans[target]?.notes.append(holds.note(holder, leavesOut: restart))
                plans[target]?.leftOut.append(holds.note(holder, leavesOut: restart))
                continue
            }
            let requires =
                sources.compactMap { builder.lastStep[$0] } + (builder.lastStep[target].map { [$0] } ?? [])
            let reason = "restart: " + sources.sorted().map(\.description).joined(separator: ", ") + " changed"
            builder.append(restart, for: target, requires: requires, reason: reason)
            plans[target]?.steps.append(builder.steps.count - 1)
            if plans[target]?.action == .unchanged { plans[target]?.action = .update }
        }
    }
}

extension StepAction {
    var isFileWrite: Bool {
        if case .writeFile = self { return true }
        return false
    }
}
