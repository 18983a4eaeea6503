public import ChainbotCore

extension HealthReport {
    /// The most problem resources one report lists (the counts are always complete).
    static let problemLimit = 50

    /// The webhook envelope: `event_type: health_report` with the summary in `data`, holding the seeds'
    /// fields (`agent_name`, `agent_version`, `status_id`, `requires_attention`, `attention_reason`) beside
    /// chainbot's own counts and the resources that are not synced and healthy.
    public func envelope(_ stored: StoredEvent, idempotencyKey: String) -> String {
        let resources: [JSONValue] = problems.prefix(Self.problemLimit).map { problem in
            .object([
                ("resource", .string(problem.resource)), ("sync", .string(problem.sync.rawValue)),
                ("health", .string(problem.health.rawValue)), ("severity", .string(problem.severity.rawValue)),
                ("reason", .string(problem.reason)),
            ])
        }
        let data: [(String, JSONValue)] = [
            ("idempotency_key", .string(idempotencyKey)), ("agent_name", .string("chainbot")),
            ("agent_version", agentVersion.map(JSONValue.string) ?? .null), ("status_id", .string(statusID)),
            ("requires_attention", .bool(requiresAttention)),
            ("attention_reason", requiresAttention ? .string(reason) : .null),
            ("resources_total", .int(total)), ("synced", .int(synced)), ("out_of_sync", .int(outOfSync)),
            ("unknown", .int(unknown)), ("degraded", .int(degraded)), ("reason", .string(reason)),
            ("resources", .array(resources)), ("resources_omitted", .int(max(problems.count - Self.problemLimit, 0))),
            ("message", .string(stored.event.message)),
            ("host", host.map { JSONValue.string($0.name) } ?? .null),
            ("generation", generation.map(JSONValue.string) ?? .null),
            (
                "labels",
                host.map { host in
                    JSONValue.object(
                        host.labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
                } ?? .null
            ),
        ]
        return JSONValue.object([
            ("event_type", .string("health_report")), ("timestamp", .string(stored.lastSeen.iso8601)),
            ("source", .string("chainbot")), ("data", .object(data)), ("severity", .string(severity.rawValue)),
            ("requires_attention", .bool(requiresAttention)),
        ]).serialized()
    }
}
