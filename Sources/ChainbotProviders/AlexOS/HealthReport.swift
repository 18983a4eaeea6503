public import ChainbotCore

/// The summary chainbot reports to ALEX OS as `health_report` events (DESIGN.md §6, §7): an overall
/// `status_id`, counts of resources by sync and health, and whether a person needs to look.
public struct HealthReport: Sendable, Hashable {
    public var statusID: String
    public var synced: Int
    public var outOfSync: Int
    public var degraded: Int
    public var total: Int
    public var requiresAttention: Bool
    public var reason: String

    /// `unhealthy` when the manifests are invalid or something is Missing; `degraded` when anything is out
    /// of sync or Degraded; else `healthy`.
    public init(statuses: [ResourceStatus], manifestProblem: String? = nil) {
        total = statuses.count
        synced = statuses.filter { $0.sync == .synced }.count
        outOfSync = statuses.filter { $0.sync == .outOfSync }.count
        degraded = statuses.filter { $0.health == .degraded }.count
        let missing = statuses.filter { $0.health == .missing }
        var reasons: [String] = []
        if let manifestProblem { reasons.append(manifestProblem) }
        if !missing.isEmpty { reasons.append("missing: " + missing.prefix(5).map(\.reference).joined(separator: ", ")) }
        let bad = statuses.filter { $0.health == .degraded || $0.sync == .outOfSync }
        if !bad.isEmpty {
            reasons.append(
                "needs attention: " + bad.prefix(5).map(\.reference).joined(separator: ", ")
                    + (bad.count > 5 ? " and \(bad.count - 5) more" : ""))
        }
        if manifestProblem != nil || !missing.isEmpty {
            statusID = "unhealthy"
        } else if !bad.isEmpty {
            statusID = "degraded"
        } else {
            statusID = "healthy"
        }
        requiresAttention = statusID != "healthy"
        reason = reasons.isEmpty ? "all \(total) resources synced and healthy" : reasons.joined(separator: "; ")
    }

    /// The event stored for it (repeats of the same summary count up instead of piling up).
    public var event: Event {
        Event(
            type: requiresAttention ? .warning : .normal, reason: "HealthReport", regardingKind: "Host",
            regardingName: "chainbot",
            message: "\(statusID): \(synced)/\(total) synced, \(outOfSync) out of sync, \(degraded) degraded; \(reason)"
        )
    }

    /// Records the summary as a `HealthReport` event, queued for ALEX OS as `health_report` when
    /// `toAlexOS`.
    public func record(in store: any StateStore, toAlexOS: Bool) {
        if toAlexOS {
            _ = try? store.recordEvent(event) { stored, key in envelope(stored, idempotencyKey: key) }
        } else {
            _ = try? store.recordEvent(event, outboxPayload: nil)
        }
    }

    /// The webhook envelope: `event_type: health_report` with the summary in `data`.
    public func envelope(_ stored: StoredEvent, idempotencyKey: String) -> String {
        let data: [(String, ChainbotCore.JSONValue)] = [
            ("idempotency_key", .string(idempotencyKey)), ("status_id", .string(statusID)),
            ("resources_total", .int(total)), ("synced", .int(synced)), ("out_of_sync", .int(outOfSync)),
            ("degraded", .int(degraded)), ("requires_attention", .bool(requiresAttention)), ("reason", .string(reason)),
            ("message", .string(stored.event.message)),
        ]
        let severity = statusID == "unhealthy" ? "error" : (statusID == "degraded" ? "warning" : "info")
        return ChainbotCore.JSONValue.object([
            ("event_type", .string("health_report")), ("timestamp", .string(stored.lastSeen.iso8601)),
            ("source", .string("chainbot")), ("data", .object(data)), ("severity", .string(severity)),
            ("requires_attention", .bool(requiresAttention)),
        ]).serialized()
    }
}
