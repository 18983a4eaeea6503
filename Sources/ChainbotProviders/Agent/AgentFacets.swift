import ChainbotCore

/// The fields of an agent that chainbot owns, as facets, and how to read them from a registry entry.
///
/// Only what the spec sets is compared. Each field is read under every spelling the contract allows: the
/// canon index's (`name`, `version`) and the registration payload's (`agent_name`, `agent_version`), which a
/// registry that echoes registrations lists. A field the entry holds under none of them cannot be compared
/// and is *unobserved* with the reason: the agent's sync is Unknown, never taken as desired.
enum AgentFacets {
    /// One owned field: its facet name, the registry keys it may be listed under, and the desired value.
    struct Owned {
        var name: String
        var keys: [String]
        var value: FacetValue
    }

    /// The owned fields `spec` sets.
    static func owned(_ spec: AgentSpec) -> [Owned] {
        var facets: [Owned] = [
            Owned(name: "registered", keys: ["name", "agent_name"], value: .word("yes")),
            Owned(name: "version", keys: ["version", "agent_version"], value: .word(spec.version)),
            Owned(name: "capabilities", keys: ["capabilities"], value: list(spec.capabilities)),
            Owned(name: "uiFeatures", keys: ["ui_features"], value: list(spec.uiFeatures)),
            Owned(name: "endpoints", keys: ["endpoints"], value: list(spec.endpoints)),
        ]
        if let role = spec.role { facets.append(Owned(name: "role", keys: ["role"], value: .word(role))) }
        if let description = spec.description {
            facets.append(Owned(name: "description", keys: ["description"], value: .word(description)))
        }
        if let port = spec.port { facets.append(Owned(name: "port", keys: ["port"], value: .word(String(port)))) }
        if let health = spec.healthEndpoint {
            facets.append(Owned(name: "healthEndpoint", keys: ["health_endpoint"], value: .word(health)))
        }
        return facets
    }

    static func desired(_ spec: AgentSpec) -> [Facet] {
        owned(spec).map { Facet($0.name, $0.value) }
    }

    /// What a registry entry shows: facets read, and facets it does not hold under any allowed key.
    struct Observation: Equatable {
        var facets: [String: FacetValue] = [:]
        var unobserved: [String: String] = [:]
    }

    /// The facets of `entry` (this agent's object in the listing `source` answered), or all absent when the
    /// listing has no such agent.
    static func observed(_ spec: AgentSpec, entry: JSONValue?, source: String) -> Observation {
        var observation = Observation()
        for facet in owned(spec) {
            guard let entry else {
                observation.facets[facet.name] = .absent
                continue
            }
            if facet.name == "registered" {
                observation.facets[facet.name] = .word("yes")
            } else if let value = facet.keys.lazy.compactMap({ entry[$0] }).first(where: { $0 != .null }) {
                observation.facets[facet.name] = value.array.map { list($0.compactMap(\.string)) } ?? word(value)
            } else {
                let keys = facet.keys.map { "'\($0)'" }.joined(separator: " or ")
                observation.unobserved[facet.name] = "\(source) lists agent '\(spec.agentID)' without \(keys)"
            }
        }
        return observation
    }

    /// True when `entry` shows every owned field as `spec` wants it; a field it does not show is no proof.
    static func matches(_ spec: AgentSpec, entry: JSONValue?, source: String) -> Bool {
        let observation = observed(spec, entry: entry, source: source)
        return observation.unobserved.isEmpty && desired(spec).allSatisfy { observation.facets[$0.name] == $0.value }
    }

    /// A list as one word, sorted (registries do not keep the order), e.g. `[chat, monitoring]`.
    private static func list(_ items: [String]) -> FacetValue {
        .word("[" + items.sorted().joined(separator: ", ") + "]")
    }

    private static func word(_ value: JSONValue) -> FacetValue {
        switch value {
        case .string(let text): .word(text)
        case .int(let number): .word(String(number))
        // A whole number as an integer (`3`, not `3.0`) only where an Int holds it: `1e19` is not one.
        case .double, .number:
            .word(value.double.map { number in Int(exactly: number).map { String($0) } ?? String(number) } ?? "")
        case .bool(let flag): .word(flag ? "true" : "false")
        default: .word(value.serialized())
        }
    }
}
