import ChainbotCore

/// Lays out steps with their `requires` links: each resource's steps form a chain, a resource's first
/// step waits for the resources it depends on, and shared actions (daemon-reload) appear once.
struct StepBuilder {
    private(set) var steps: [Step] = []
    /// The last step of each resource so far.
    private(set) var lastStep: [ResourceID: Int] = [:]

    /// Appends one step and returns its index.
    @discardableResult
    mutating func append(_ action: StepAction, for resource: ResourceID, requires: [Int], reason: String) -> Int {
        let index = steps.count
        steps.append(
            Step(
                index: index, resource: resource, action: action, requires: Array(Set(requires)).sorted(),
                reason: reason))
        lastStep[resource] = index
        return index
    }

    /// What the next step of `resource` must wait for: its own previous step, or (for its first step)
    /// the last steps of the resources it depends on.
    func requirements(for resource: ResourceID, after dependencies: [ResourceID]) -> [Int] {
        if let previous = lastStep[resource] { return [previous] }
        return dependencies.compactMap { lastStep[$0] }
    }

    /// Appends a resource's actions in order.
    mutating func add(
        _ actions: [StepAction], for resource: ResourceID, after dependencies: [ResourceID],
        plans: inout [ResourceID: ResourcePlan]
    ) {
        for action in actions {
            if action.runsOncePerPlan, let existing = steps.firstIndex(where: { Self.covers($0.action, action) }) {
                // Asked for already (one firewall load for a Firewall and its rules): wait for that step.
                if !(plans[resource]?.steps.contains(existing) ?? true) { plans[resource]?.steps.append(existing) }
                lastStep[resource] = existing
                continue
            }
            let index = append(
                action, for: resource, requires: requirements(for: resource, after: dependencies),
                reason: reason(for: resource, plans))
            plans[resource]?.steps.append(index)
        }
    }

    /// Appends a group of resources split around their shared action: every resource's actions before
    /// it, the shared action once (ordered after them but not blocked by their failures), then every
    /// resource's actions after it, which do wait for the shared step.
    mutating func addPhased(
        _ group: [(ResourceID, [StepAction])], dependencies: [ResourceID: [ResourceID]],
        plans: inout [ResourceID: ResourcePlan]
    ) {
        var after: [(ResourceID, [StepAction])] = []
        var shared: StepAction?
        var sharers: [ResourceID] = []
        // Before the shared action: every resource's own first actions (its files), then every resource's
        // actions from its first that runs together with others' (enable, disable), so those stand together.
        var batched: [(ResourceID, ArraySlice<StepAction>)] = []
        for (resource, actions) in group {
            let split = actions.firstIndex(where: \.isShared)
            let before = actions[..<(split ?? actions.endIndex)]
            let cut = before.firstIndex { $0.batch != nil } ?? before.endIndex
            add(Array(before[..<cut]), for: resource, after: dependencies[resource] ?? [], plans: &plans)
            batched.append((resource, before[cut...]))
            if let split {
                shared = actions[split]
                sharers.append(resource)
                after.append((resource, Array(actions[(split + 1)...])))
            }
        }
        for (resource, actions) in batched {
            add(Array(actions), for: resource, after: dependencies[resource] ?? [], plans: &plans)
        }
        guard let shared, let first = sharers.first else { return }
        let sharedIndex = steps.count
        steps.append(
            Step(index: sharedIndex, resource: first, action: shared, requires: [], reason: "unit files changed"))
        for resource in sharers { plans[resource]?.steps.append(sharedIndex) }
        // Round-robin over the resources (every first action — enable, say — then every second — start),
        // so like actions stand together and the executor can run the starts side by side. A resource's
        // step waits for its own previous step and for the latest step of what it depends on.
        var requires: [ResourceID: [Int]] = [:]
        for (resource, _) in after {
            requires[resource] = requirements(for: resource, after: dependencies[resource] ?? []) + [sharedIndex]
        }
        let longest = after.map(\.1.count).max() ?? 0
        for position in 0..<longest {
            for (resource, actions) in after where position < actions.count {
                let waits =
                    (requires[resource] ?? [sharedIndex]) + (dependencies[resource] ?? []).compactMap { lastStep[$0] }
                let index = append(
                    actions[position], for: resource, requires: waits, reason: reason(for: resource, plans))
                plans[resource]?.steps.append(index)
                requires[resource] = [index]
            }
        }
    }

    /// True when `planned` already does what `asked` wants: the same action, or a start or restart of the
    /// unit a restart is asked for (a Port restarting the Service that this plan starts anyway).
    static func covers(_ planned: StepAction, _ asked: StepAction) -> Bool {
        if planned == asked { return true }
        if case .systemctl(.restart, let unit) = asked, case .systemctl(let verb, let other) = planned {
            return unit == other && (verb == .start || verb == .restart)
        }
        return false
    }

    private func reason(for resource: ResourceID, _ plans: [ResourceID: ResourcePlan]) -> String {
        guard let plan = plans[resource] else { return "" }
        switch plan.action {
        case .prune: return "left the manifests"
        case .create: return "not on the host"
        default:
            let facets = plan.changes.map(\.facet)
            return facets.isEmpty ? "host needs it" : "changed: " + facets.joined(separator: ", ")
        }
    }
}
