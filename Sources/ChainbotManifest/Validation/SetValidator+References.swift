import ChainbotCore

extension SetValidator {
    /// The references a resource makes, each with the field path it is written at.
    static func references(of resource: Resource) -> [(path: String, target: ResourceID)] {
        var out = resource.metadata.dependsOn.enumerated().map { ("metadata.dependsOn[\($0.offset)]", $0.element) }
        switch resource.spec {
        case .port(let port): if let owner = port.owner { out.append(("spec.owner", owner)) }
        case .agent(let agent): if let service = agent.service { out.append(("spec.service", service)) }
        case .configFile(let file): out += file.notify.enumerated().map { ("spec.notify[\($0.offset)]", $0.element) }
        default: break
        }
        return out
    }

    mutating func checkReferences() {
        for entry in resources {
            for (path, target) in Self.references(of: entry.resource) where declared[target] == nil {
                if let other = elsewhere[target] {
                    diagnostics.append(
                        .error(
                            .danglingReference,
                            "\(path) in \(entry.resource.id.kind.rawValue) '\(entry.resource.id.name)' refers to \(target), which is not selected\(forHost)",
                            at: location(path, in: entry),
                            notes: [
                                .init("\(target) is defined here with a hostSelector that does not match", at: other)
                            ]))
                    continue
                }
                let names = declared.keys.filter { $0.kind == target.kind }.map(\.name)
                let notes = Suggestion.closest(to: target.name, in: names).map {
                    [ManifestDiagnostic.Note("did you mean '\(target.kind.rawValue)/\($0)'?")]
                }
                diagnostics.append(
                    .error(
                        .danglingReference,
                        "\(path) in \(entry.resource.id.kind.rawValue) '\(entry.resource.id.name)' refers to \(target), which no manifest defines",
                        at: location(path, in: entry), notes: notes ?? []))
            }
        }
        let firewall = declared.keys.contains { $0.kind == .firewall }
        for entry in resources where !firewall {
            if entry.resource.id.kind == .firewallRule {
                diagnostics.append(
                    .error(
                        .danglingReference, "\(entry.resource.id) has no Firewall to belong to",
                        at: entry.resource.nameLocation, notes: [.init("add a Firewall resource (one per host)")]))
            } else if case .port(let port) = entry.resource.spec, !port.exposeFrom.isEmpty {
                diagnostics.append(
                    .warning(
                        .danglingReference, "spec.expose has no effect without a Firewall in \(entry.resource.id)",
                        at: location("spec.expose", in: entry)))
            }
        }
    }

    /// Finds cycles through dependsOn, Port owners and Agent services, and names each cycle once.
    mutating func checkCycles() {
        var index: [ResourceID: Int] = [:]
        for (position, entry) in resources.enumerated() { index[entry.resource.id] = position }
        // Edges by position; notify is not an ordering dependency.
        let edges = resources.map { entry in
            Self.references(of: entry.resource).compactMap { reference -> (path: String, target: Int)? in
                guard !reference.path.hasPrefix("spec.notify"), let target = index[reference.target] else { return nil }
                return (reference.path, target)
            }
        }
        enum State { case unvisited, onStack, done }
        var state = [State](repeating: .unvisited, count: resources.count)
        var reported: Set<Set<Int>> = []
        // An explicit stack of (node, next edge to follow), so long chains cannot overflow the call stack.
        let order = resources.indices.sorted { resources[$0].resource.id < resources[$1].resource.id }
        for start in order where state[start] == .unvisited {
            var stack: [(node: Int, edge: Int)] = [(start, 0)]
            state[start] = .onStack
            while let (node, edge) = stack.last {
                guard edge < edges[node].count else {
                    state[node] = .done
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].edge += 1
                let (path, target) = edges[node][edge]
                switch state[target] {
                case .unvisited:
                    state[target] = .onStack
                    stack.append((target, 0))
                case .onStack:
                    guard let first = stack.firstIndex(where: { $0.node == target }) else { continue }
                    let cycle = stack[first...].map(\.node)
                    guard reported.insert(Set(cycle)).inserted else { continue }
                    let text = (cycle + [target]).map { resources[$0].resource.id.description }.joined(separator: " → ")
                    diagnostics.append(
                        .error(.dependencyCycle, "dependency cycle: \(text)", at: location(path, in: resources[node])))
                case .done:
                    continue
                }
            }
        }
    }
}
