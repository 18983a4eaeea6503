/// One event occurrence waiting to be delivered to ALEX OS (or already delivered).
///
/// Entries survive restarts; the idempotency key lets the receiver drop a repeated delivery.
public struct OutboxEntry: Sendable, Hashable, Identifiable {
    /// The entry number; entries are delivered in increasing order among those due.
    public var id: Int64
    /// The stored event this entry is an occurrence of.
    public var eventID: Int64
    /// Unique per occurrence and per state file, stable across retries.
    public var idempotencyKey: String
    /// The kind of the resource the event regards.
    public var kind: String
    /// The name of the resource the event regards.
    public var name: String
    /// The request body to send, rendered when the entry was enqueued.
    public var payloadJSON: String
    /// How many deliveries have failed so far.
    public var attempts: Int
    /// The earliest time the next delivery may be tried.
    public var nextAttemptAt: Timestamp
    /// Why the latest delivery failed; nil before the first failure.
    public var lastError: String?
    public var createdAt: Timestamp
    /// When delivery succeeded; nil while pending.
    public var deliveredAt: Timestamp?

    public init(
        id: Int64, eventID: Int64, idempotencyKey: String, kind: String, name: String, payloadJSON: String,
        attempts: Int, nextAttemptAt: Timestamp, lastError: String?, createdAt: Timestamp, deliveredAt: Timestamp?
    ) {
        self.id = id
        self.eventID = eventID
        self.idempotencyKey = idempotencyKey
        self.kind = kind
        self.name = name
        self.payloadJSON = payloadJSON
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }

    /// True until the entry has been delivered.
    public var isPending: Bool { deliveredAt == nil }
}
