/// The agent's work queue, in the manner of controller-runtime's: keys wait in arrival order (fair), a
/// key is handed out at most once at a time, adding a key that is being processed marks it to run again
/// when it is done (re-adds coalesce), and a key can wait until a given instant (requeue-after, backoff).
public struct WorkQueue<Key: Hashable & Sendable>: Sendable {
    private var ready: [Key] = []
    private var queued: Set<Key> = []
    private var processing: Set<Key> = []
    /// Added again while being processed: queued once `done`.
    private var dirty: Set<Key> = []
    private var delayed: [Key: ContinuousClock.Instant] = [:]

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
    public mutating func add(_ key: Key, at instant: ContinuousClock.Instant) {
        if queued.contains(key) { return }
        if let existing = delayed[key], existing <= instant { return }
        delayed[key] = instant
    }

    /// Hands out every key that is due at `now`, in arrival order, and marks them as being processed.
    public mutating func take(now: ContinuousClock.Instant) -> [Key] {
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
    public var nextDeadline: ContinuousClock.Instant? { delayed.values.min() }

    /// Keys waiting now (not delayed, not being processed).
    public var depth: Int { ready.count }

    /// Keys waiting for a later instant.
    public var delayedCount: Int { delayed.count }

    public var isProcessing: Bool { !processing.isEmpty }
}

/// Per-key exponential backoff with jitter: 1 s, 2 s, 4 s … up to a maximum, ±`jitter` of the delay.
public struct Backoff: Sendable {
    public var base: Duration
    public var maximum: Duration
    /// The fraction of the delay added or taken at random, so many failing keys do not retry in step.
    public var jitter: Double
    private var failures: [String: Int] = [:]

    public init(base: Duration = .seconds(1), maximum: Duration = .seconds(300), jitter: Double = 0.1) {
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Counts a failure of `key` and returns how long to wait before trying again.
    public mutating func next(_ key: String, random: Double = Double.random(in: -1...1)) -> Duration {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        let factor = Double(1 << min(count - 1, 30))
        let delay = min(Self.seconds(base) * factor, Self.seconds(maximum))
        let jittered = max(0, delay * (1 + jitter * random))
        // A maximum no Int64 of milliseconds holds (or a NaN from an odd jitter) waits the maximum.
        guard let milliseconds = Int64(exactly: (jittered * 1000).rounded(.down)) else { return maximum }
        return .milliseconds(milliseconds)
    }

    /// Forgets `key`'s failures after a success.
    public mutating func forget(_ key: String) { failures[key] = nil }

    /// How many times in a row `key` failed.
    public func failureCount(_ key: String) -> Int { failures[key] ?? 0 }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
