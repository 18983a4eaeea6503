/// The controller's work queue, in the manner of client-go's delaying queue: keys wait in arrival order
/// (fair), a key is handed out at most once at a time, adding a key that is being processed marks it to
/// run again when it is done (re-adds coalesce), and a key can wait until a given instant (requeue-after,
/// backoff). Instants come from any clock, so tests can drive it with a manual one.
public struct DelayingQueue<Key: Hashable & Sendable, Instant: InstantProtocol & Sendable>: Sendable {
    private var ready: [Key] = []
    private var queued: Set<Key> = []
    private var processing: Set<Key> = []
    /// Added again while being processed: queued once `done`.
    private var dirty: Set<Key> = []
    private var delayed: [Key: Instant] = [:]

    public init() {}

    /// Queues `key` now; a no-op when it is already waiting, deferred when it is being processed.
    public mutating func add(_ key: Key) {
        delayed[key] = nil
        if processing.contains(key) {
            dirty.insert(key)
        } else if queued.insert(key).inserted {
            ready.append(key)
        }
    }

    /// Queues `key` at `instant` (the earlier of two requests wins); immediately when already due.
    public mutating func add(_ key: Key, at instant: Instant) {
        if queued.contains(key) { return }
        if let existing = delayed[key], existing <= instant { return }
        delayed[key] = instant
    }

    /// Hands out every key that is due at `now`, in arrival order, and marks them as being processed.
    public mutating func take(now: Instant) -> [Key] {
        for (key, instant) in delayed where instant <= now {
            delayed[key] = nil
            add(key)
        }
        let batch = ready.filter { !processing.contains($0) }
        ready.removeAll()
        queued.removeAll()
        processing.formUnion(batch)
        return batch
    }

    /// Marks `key` as processed; a key added meanwhile is queued again.
    public mutating func done(_ key: Key) {
        processing.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }

    /// When the next delayed key is due, or nil when none waits.
    public var nextDeadline: Instant? { delayed.values.min() }

    /// Keys waiting now (not delayed, not being processed).
    public var depth: Int { ready.count }

    /// Keys waiting for a later instant.
    public var delayedCount: Int { delayed.count }

    public var isProcessing: Bool { !processing.isEmpty }
}

/// The work queue on the monotonic wall clock.
public typealias WorkQueue<Key: Hashable & Sendable> = DelayingQueue<Key, ContinuousClock.Instant>
