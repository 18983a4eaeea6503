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
        let present = Set(ordered.map(\.id))
        let dependencies = Dictionary(
            uniqueKeysWithValues: ordered.map { ($0.id, ResourceOrder.dependencies(of: $0, in: present)) })

        let beforeServices = ordered.filter { $0.id.kind.applyRank < Kind.service.applyRank }
        let services = ordered.filter { $0.id.kind == .service }
        let afterServices = ordered.filter { $0.id.kind.applyRank > Kind.service.applyRank }

        for resource in beforeServices {
            builder.add(
                actions[resource.id] ?? [], for: resource.id, after: dependencies[resource.id] ?? [], plans: &plans)
        }
        builder.addPhased(
            services.map { ($0.id, actions[$0.id] ?? []) }, dependencies: dependencies, plans: &plans)
        addNotifyRestarts(ordered, input, &builder, &plans, actions)
        for resource in afterServices {
            builder.add(
                actions[resource.id] ?? [], for: resource.id, after: dependencies[resource.id] ?? [], plans: &plans)
        }

        var prunes: [(ResourceID, [StepAction])] = []
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
            let steps =
                input.prune
                ? providers[id.kind]?.steps(
                    for: id, spec: nil, previous: applied.spec, changes: changes, observed: observed)
                    ?? [] : []
            plans[id] = ResourcePlan(
                id: id, action: .prune, changes: changes, health: observed.health, deferred: !input.prune)
            prunes.append((id, steps))
        }
        builder.addPhased(prunes, dependencies: [:], plans: &plans)

        let order = ordered.map(\.id) + pruned.reversed()
        return Plan(resources: order.compactMap { plans[$0] }, steps: builder.steps)
    }

    /// The plan and provider actions for one desired resource, respecting its drift policy.
    private func decide(_ resource: Resource, _ input: PlanInput) -> (ResourcePlan, [StepAction]) {
        let id = resource.id
        let observed = input.observed[id] ?? ObservedResource(id: id, facets: [:])
        let rendered = input.rendered[id] ?? []
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
            let actions =
                providers[id.kind]?.steps(
                    for: id, spec: resource.spec, previous: input.applied[id]?.spec, changes: changes,
                    observed: observed)
                ?? []
            if !changes.isEmpty || !actions.isEmpty {
                plan.action = observed.isAbsent ? .create : .update
            }
            return (plan, actions)
        }
    }

    /// Restarts each running Service once when a ConfigFile it is notified by (or its EnvironmentFile) is
    /// written, unless the Service is started or restarted anyway.
    private func addNotifyRestarts(
        _ ordered: [Resource], _ input: PlanInput, _ builder: inout StepBuilder,
        _ plans: inout [ResourceID: ResourcePlan],
        _ actions: [ResourceID: [StepAction]]
    ) {
        var services: [ResourceID: ServiceSpec] = [:]
        for resource in ordered {
            if case .service(let spec) = resource.spec { services[resource.id] = spec }
        }
        var notified: [ResourceID: [ResourceID]] = [:]
        for resource in ordered {
            guard case .configFile(let file) = resource.spec, let write = builder.lastStep[resource.id],
                builder.steps[write].action.isFileWrite
            else { continue }
            var targets = file.notify
            for (id, service) in services {
                if case .structured(let unit) = service.definition, unit.environmentFile == file.path {
                    targets.append(id)
                }
            }
            for target in Set(targets) { notified[target, default: []].append(resource.id) }
        }
        for (serviceID, sources) in notified.sorted(by: { $0.key < $1.key }) {
            // Only where the provider manages running state (not in an offline image).
            guard let service = services[serviceID], service.state == .running,
                plans[serviceID]?.action != .warn, plans[serviceID] != nil,
                input.rendered[serviceID]?.contains(where: { $0.name == "state" }) == true
            else { continue }
            let alreadyRestarting = (actions[serviceID] ?? []).contains { action in
                if case .systemctl(let verb, _) = action { return verb == .start || verb == .restart }
                return false
            }
            if alreadyRestarting { continue }
            let requires =
                sources.compactMap { builder.lastStep[$0] } + (builder.lastStep[serviceID].map { [$0] } ?? [])
            let reason = "restart: " + sources.sorted().map(\.description).joined(separator: ", ") + " changed"
            builder.append(
                .systemctl(.restart, unit: service.unitName), for: serviceID, requires: requires, reason: reason)
            plans[serviceID]?.steps.append(builder.steps.count - 1)
            if plans[serviceID]?.action == .unchanged { plans[serviceID]?.action = .update }
        }
    }
}

extension StepAction {
    var isFileWrite: Bool {
        if case .writeFile = self { return true }
        return false
    }
}
