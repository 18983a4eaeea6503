public import ChainbotCore

/// The webhook body ALEX OS takes for an event (DESIGN.md §7): `{event_type, timestamp, source, data,
/// severity, requires_attention}`, with the idempotency key, resource, generation and message in `data`.
///
/// `severity` is the event's own (a WatchtowerTarget's `severity: critical` arrives as `critical`), else
/// `info` for Normal and `warning` for Warning events; anything from `warning` up requires attention.
public enum EventEnvelope {
    /// The envelope of one occurrence of `stored`, as compact JSON text (what the outbox keeps).
    public static func render(_ stored: StoredEvent, idempotencyKey: String) -> String {
        let event = stored.event
        let severity = event.effectiveSeverity
        let data: [(String, JSONValue)] = [
            ("idempotency_key", .string(idempotencyKey)), ("resource", .string(event.regarding)),
            ("generation", event.generation.map(JSONValue.string) ?? .null), ("message", .string(event.message)),
            ("reason", .string(event.reason.rawValue)), ("type", .string(event.type.rawValue)),
            ("count", .int(stored.count)),
            ("first_seen", .string(stored.firstSeen.iso8601)),
            ("last_seen", .string(stored.lastSeen.iso8601)),
        ]
        let envelope = JSONValue.object([
            ("event_type", .string(eventType(for: event.reason.rawValue))),
            ("timestamp", .string(stored.lastSeen.iso8601)),
            ("source", .string("chainbot")), ("data", .object(data)),
            ("severity", .string(severity.rawValue)), ("requires_attention", .bool(severity >= .warning)),
        ])
        return envelope.serialized()
    }

    /// A reason in snake case, the webhook's `{event_type}`: `DriftDetected` → `drift_detected`.
    public static func eventType(for reason: String) -> String {
        var out = ""
        for character in reason {
            if character.isUppercase {
                if !out.isEmpty { out.append("_") }
                out += character.lowercased()
            } else if character.isLetter || character.isNumber {
                out.append(character)
            } else if !out.hasSuffix("_") {
                out.append("_")
            }
        }
        return out.isEmpty ? "event" : out
    }
}
