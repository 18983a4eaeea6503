import ChainbotCore

/// Orders resources for applying: explicit dependencies first (dependsOn, a Port's owner, an Agent's
/// service), then the implicit kind order, then name.
enum ResourceOrder {
    /// The resources a resource must wait for (only those in `present`).
    static func dependencies(of resource: Resource, in present: Set<ResourceID>) -> [ResourceID] {
        var out = resource.metadata.dependsOn
        switch resource.spec {
        case .port(let port): if let owner = port.owner { out.append(owner) }
        case .agent(let agent): if let service = agent.service { out.append(service) }
        default: break
        }
        return out.filter { present.contains($0) && $0 != resource.id }
    }

    /// A topological order (Kahn's algorithm, ties broken by kind rank then name); resources in a cycle,
    /// which validation rejects, are appended in plain order rather than lost.
    static func sorted(_ resources: [Resource]) -> [Resource] {
        let present = Set(resources.map(\.id))
        var byID: [ResourceID: Resource] = [:]
        for resource in resources { byID[resource.id] = resource }
        var waitingOn: [ResourceID: Int] = [:]
        var dependents: [ResourceID: [ResourceID]] = [:]
        for resource in resources {
            let dependencies = Set(dependencies(of: resource, in: present))
            waitingOn[resource.id] = dependencies.count
            for dependency in dependencies { dependents[dependency, default: []].append(resource.id) }
        }
        var ready = resources.map(\.id).filter { waitingOn[$0] == 0 }.sorted()
        var out: [Resource] = []
        while !ready.isEmpty {
            let next = ready.removeFirst()
            if let resource = byID[next] { out.append(resource) }
            for dependent in dependents[next] ?? [] {
                waitingOn[dependent, default: 0] -= 1
                if waitingOn[dependent] == 0 {
                    let position = ready.firstIndex { dependent < $0 } ?? ready.endIndex
                    ready.insert(dependent, at: position)
                }
            }
        }
        if out.count < resources.count {
            let placed = Set(out.map(\.id))
            out += resources.filter { !placed.contains($0.id) }.sorted { $0.id < $1.id }
        }
        return out
    }
}
