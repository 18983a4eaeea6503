import ChainbotCore
import ChainbotDelivery

/// The registration payload ChainBot's registry expects (DESIGN.md §7), built from an agent's spec.
enum AgentRegistration {
    static func payload(_ spec: AgentSpec, endpoints: AlexOSEndpoints, at time: Timestamp) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("agent_name", .string(spec.agentID)), ("agent_version", .string(spec.version)),
            ("role", .string(spec.role ?? spec.agentType.rawValue)),
            ("capabilities", .array(spec.capabilities.map(JSONValue.string))),
            ("ui_features", .array(spec.uiFeatures.map(JSONValue.string))),
            ("endpoints", .array(spec.endpoints.map(JSONValue.string))),
        ]
        if let port = spec.port { members.append(("port", .int(port))) }
        if let health = spec.healthEndpoint { members.append(("health_endpoint", .string(health))) }
        // The naive form (no `Z`) that ChainBot's own registrations use.
        let registered = String(time.iso8601.dropLast())
        members += [
            ("event_bus_url", .string(endpoints.eventBusURL)), ("webhook_url", .string(endpoints.webhookBaseURL)),
            ("registration_time", .string(registered)),
            ("agent_type", .string(spec.agentType.rawValue)),
        ]
        if let description = spec.description { members.append(("description", .string(description))) }
        if let displayName = spec.displayName { members.append(("display_name", .string(displayName))) }
        return .object(members)
    }
}
