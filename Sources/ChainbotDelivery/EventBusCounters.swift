import Synchronization

/// What the event bus channel did so far, for the metrics and the status: plain numbers any thread may read.
public final class EventBusCounters: Sendable {
    private let publishedCount = Atomic<Int>(0)
    private let connectionCount = Atomic<Int>(0)
    private let connectFailureCount = Atomic<Int>(0)
    private let ignoredCount = Atomic<Int>(0)
    private let reconcileRequestCount = Atomic<Int>(0)
    private let connectedNow = Atomic<Bool>(false)
    private let latestProblem = Mutex<String?>(nil)

    public init() {}

    /// Events the bus confirmed (its pong after them), each counted once.
    public var published: Int { publishedCount.load(ordering: .relaxed) }
    /// Connections opened (the first one and every reconnect).
    public var connections: Int { connectionCount.load(ordering: .relaxed) }
    /// Attempts to connect that failed (refused, timed out, a bad handshake).
    public var connectFailures: Int { connectFailureCount.load(ordering: .relaxed) }
    /// Incoming messages not addressed to chainbot or not understood: ignored.
    public var ignoredMessages: Int { ignoredCount.load(ordering: .relaxed) }
    /// `reconcile_request`s that queued a resource.
    public var reconcileRequests: Int { reconcileRequestCount.load(ordering: .relaxed) }
    /// Whether a connection is open now.
    public var isConnected: Bool { connectedNow.load(ordering: .relaxed) }
    /// Why the latest connection attempt failed or the latest connection ended; nil while connected.
    public var lastProblem: String? { latestProblem.withLock { $0 } }

    func addPublished(_ count: Int) { publishedCount.add(count, ordering: .relaxed) }
    func addIgnored() { ignoredCount.add(1, ordering: .relaxed) }
    func addReconcileRequest() { reconcileRequestCount.add(1, ordering: .relaxed) }

    func connected() {
        connectionCount.add(1, ordering: .relaxed)
        connectedNow.store(true, ordering: .relaxed)
        latestProblem.withLock { $0 = nil }
    }

    func ended(_ problem: String, failedToConnect: Bool) {
        if failedToConnect { connectFailureCount.add(1, ordering: .relaxed) }
        connectedNow.store(false, ordering: .relaxed)
        latestProblem.withLock { $0 = problem }
    }
}
