import ChainbotCore
import ChainbotStore

/// The agent's own conditions (`StatusPageConditions`) as `/api/v1/status` and `chainbot status -o json`
/// give them, and `chainbot status` prints: the list the status page shows, from the same store.
extension StatusPageConditions {
    /// The conditions for `status` (a status document with `agent` and `events`), the facts read from
    /// `store`, as a JSON array of `{type, severity, title, message, detail}`.
    static func json(_ status: JSONValue, store: SQLiteStateStore) -> JSONValue {
        .array(conditions(status, Facts(store: store)).map(\.json))
    }
}

extension StatusPageConditions.Facts {
    /// What the store says of the outbox (how many events wait, the oldest one's attempts and error) and
    /// which resources are suspended now; what it cannot read counts as nothing.
    init(store: SQLiteStateStore) {
        self.init()
        outboxBacklog = (try? store.pendingOutboxCount()) ?? 0
        // The oldest waiting one, also while it waits for its retry: during the backoff ALEX OS is still
        // unreachable (asking only for due entries made the condition come and go).
        if outboxBacklog > 0, let oldest = (try? store.oldestUndeliveredOutboxEntry()) ?? nil {
            outboxAttempts = oldest.attempts
            outboxError = oldest.lastError
            outboxSince = oldest.createdAt
        }
        suspensions = (try? store.suspensions(at: Timestamp.now())) ?? []
    }
}

extension StatusPageConditions.Condition {
    /// `{"type", "severity": "failing"|"warning"|"info", "title", "message", "detail": text or null}`.
    var json: JSONValue {
        .object([
            ("type", .string(kind.rawValue)), ("severity", .string(severity.rawValue)), ("title", .string(title)),
            ("message", .string(message)),
            ("detail", detail.map(JSONValue.string) ?? .null),
        ])
    }
}
