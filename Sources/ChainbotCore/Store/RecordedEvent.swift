/// What recording one occurrence of an event did.
public struct RecordedEvent: Sendable, Hashable {
    /// The event after this occurrence was counted.
    public var stored: StoredEvent
    /// True when this was the first occurrence (the event was inserted rather than counted again).
    public var isNew: Bool
    /// The outbox entry enqueued for this occurrence, when one was asked for.
    public var outboxEntry: OutboxEntry?

    public init(stored: StoredEvent, isNew: Bool, outboxEntry: OutboxEntry?) {
        self.stored = stored
        self.isNew = isNew
        self.outboxEntry = outboxEntry
    }
}
