import ChainbotCore

/// The fields of an agent that chainbot owns, as facets, and how to read them from a registry entry.
///
/// Only what the spec sets is compared. A field the registry does not report (the fallback listing has
/// no version, say) cannot be compared and is taken as it is desired, so it never flaps.
enum AgentFacets {
    /// Facet name → (registry key, the desired value), for what `spec` sets.
    static func owned(_ spec: AgentSpec) -> [(name: String, key: String, value: FacetValue)] {
        var facets: [(String, String, FacetValue)] = [
            ("registered", "name", .word("yes")), ("version", "version", .word(spec.version)),
            ("capabilities", "capabilities", list(spec.capabilities)),
            ("uiFeatures", "ui_features", list(spec.uiFeatures)), ("endpoints", "endpoints", list(spec.endpoints)),
        ]
        if let role = spec.role { facets.append(("role", "role", .word(role))) }
        if let description = spec.description { facets.append(("description", "description", .word(description))) }
        if let port = spec.port { facets.append(("port", "port", .word(String(port)))) }
        if let health = spec.healthEndpoint { facets.append(("healthEndpoint", "health_endpoint", .word(health))) }
        return facets.map { (name: $0.0, key: $0.1, value: $0.2) }
    }

    static func desired(_ spec: AgentSpec) -> [Facet] {
        owned(spec).map { Facet($0.name, $0.value) }
    }

    /// The facets of `entry` (a registry listing's object for this agent), or all absent when there is none.
    static func observed(_ spec: AgentSpec, entry: AlexOSJSON?) -> [String: FacetValue] {
        var facets: [String: FacetValue] = [:]
        for facet in owned(spec) {
            guard let entry else {
                facets[facet.name] = .absent
                continue
            }
            if facet.name == "registered" {
                facets[facet.name] = .word("yes")
            } else if let value = entry.member(facet.key), value != .null {
                facets[facet.name] = value.elements.map { list($0.compactMap(\.text)) } ?? word(value)
            } else {
                facets[facet.name] = facet.value
            }
        }
        return facets
    }

    /// True when `entry` shows the agent as `spec` wants it.
    static func matches(_ spec: AgentSpec, entry: AlexOSJSON?) -> Bool {
        let observed = observed(spec, entry: entry)
        return desired(spec).allSatisfy { observed[$0.name] == $0.value }
    }

    /// A list as one word, sorted (registries do not keep the order), e.g. `[chat, monitoring]`.
    private static func list(_ items: [String]) -> FacetValue {
        .word("[" + items.sorted().joined(separator: ", ") + "]")
    }

    private static func word(_ value: AlexOSJSON) -> FacetValue {
        switch value {
        case .string(let text): .word(text)
        case .int(let number): .word(String(number))
        case .double(let number): .word(number == number.rounded() ? String(Int(number)) : String(number))
        case .bool(let flag): .word(flag ? "true" : "false")
        default: .word(value.serialized())
        }
    }
}
