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
                let names = declared.keys.filter { $0.kind == target.kind }.map(\.name)
                let notes = Suggestion.closest(to: target.name, in: names).map {
                    [ManifestDiagnostic.Note("did you mean '\(target.kind.rawValue)/\($0)'?")]
                }
                diagnostics.append(
                    .error(.danglingReference, "\(path) in \(entry.resource.id.kind.rawValue) '\(entry.resource.id.name)' refers to \(target), which no manifest defines",
                           at: location(path, in: entry), notes: notes ?? []))
            }
        }
        let firewall = declared.keys.contains { $0.kind == .firewall }
        for entry in resources where !firewall {
            if entry.resource.id.kind == .firewallRule {
                diagnostics.append(
                    .error(.danglingReference, "\(entry.resource.id) has no Firewall to belong to",
                           at: entry.resource.nameLocation, notes: [.init("add a Firewall resource (one per host)")]))
            } else if case .port(let port) = entry.resource.spec, !port.exposeFrom.isEmpty {
                diagnostics.append(
                    .warning(.danglingReference, "spec.expose has no effect without a Firewall in \(entry.resource.id)",
                             at: location("spec.expose", in: entry)))
            }
        }
    }

    /// Finds cycles through dependsOn, Port owners and Agent services, and names each cycle once.
    mutating func checkCycles() {
        var edges: [ResourceID: [(path: String, target: ResourceID)]] = [:]
        var entries: [ResourceID: Entry] = [:]
        for entry in resources {
            entries[entry.resource.id] = entry
            edges[entry.resource.id] = Self.references(of: entry.resource).filter { !$0.path.hasPrefix("spec.notify") }
        }
        enum Mark { case visiting, done }
        var marks: [ResourceID: Mark] = [:]
        var stack: [ResourceID] = []
        var reported: Set<Set<ResourceID>> = []

        func visit(_ id: ResourceID) {
            marks[id] = .visiting
            stack.append(id)
            for (path, target) in edges[id] ?? [] where edges[target] != nil {
                switch marks[target] {
                case .visiting?:
                    guard let start = stack.lastIndex(of: target) else { continue }
                    let cycle = Array(stack[start...])
                    guard reported.insert(Set(cycle)).inserted, let entry = entries[id] else { continue }
                    let text = (cycle + [target]).map(\.description).joined(separator: " → ")
                    diagnostics.append(
                        .error(.dependencyCycle, "dependency cycle: \(text)", at: location(path, in: entry)))
                case .done?: continue
                case nil: visit(target)
                }
            }
            stack.removeLast()
            marks[id] = .done
        }
        for id in resources.map(\.resource.id).sorted() where marks[id] == nil {
            visit(id)
        }
    }
}
