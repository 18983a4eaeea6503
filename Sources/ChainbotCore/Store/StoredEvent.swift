/// An event as the store keeps it: how many times it occurred, and when first and last.
public struct StoredEvent: Sendable, Hashable, Identifiable {
    public var id: Int64
    /// The event; its `generation` is the one of the latest occurrence that named one.
    public var event: Event
    /// How many times the event occurred; at least 1.
    public var count: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp

    public init(id: Int64, event: Event, count: Int, firstSeen: Timestamp, lastSeen: Timestamp) {
        self.id = id
        self.event = event
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}
