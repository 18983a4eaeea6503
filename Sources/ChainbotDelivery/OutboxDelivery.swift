public import ChainbotCore
public import ChainbotHTTP

/// Sends the store's outbox to ALEX OS's event webhook: oldest first, never overtaking an earlier event
/// of the same resource, each with its idempotency key, retried with exponential backoff while ALEX OS
/// cannot take it. Entries stay in the store until ALEX OS has answered 2xx, so nothing is lost across
/// restarts; a repeated delivery (after a 500 that had committed) is dropped by ALEX OS by its key.
///
/// `chainbot apply` runs one pass after recording its events; the agent loop can run one on a timer.
public struct OutboxDelivery: Sendable {
    /// What one pass did.
    public struct Report: Sendable, Hashable {
        public var delivered = 0
        public var failed = 0
        /// Entries still undelivered after the pass, due or waiting for their next attempt.
        public var pending = 0
        /// Why the latest failed delivery failed.
        public var lastError: String?
        /// True when the pass stopped early because ALEX OS could not be reached.
        public var unreachable = false
    }

    let store: any StateStore
    let transport: any HTTPTransport
    let endpoints: AlexOSEndpoints
    /// Entries read from the store at a time.
    public var batchSize = 100
    /// The most deliveries one pass attempts, so a pass ends even with a huge backlog.
    public var maxAttemptsPerPass = 10_000
    /// Time one delivery may take.
    public var requestTimeout: Duration = .seconds(10)
    /// The wait before the next attempt after `attempts` failures: 1 s doubling up to 5 min.
    public var backoff: @Sendable (_ attempts: Int) -> Duration = OutboxDelivery.exponentialBackoff

    public init(store: any StateStore, transport: any HTTPTransport, endpoints: AlexOSEndpoints) {
        self.store = store
        self.transport = transport
        self.endpoints = endpoints
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes.
    public static func exponentialBackoff(_ attempts: Int) -> Duration {
        let exponent = min(max(attempts - 1, 0), 9)
        return min(.seconds(1 << exponent), .seconds(300))
    }

    /// Delivers every entry that is due, in order; stops early when ALEX OS is unreachable.
    public func deliverPending() async throws(StoreError) -> Report {
        var report = Report()
        pass: while report.delivered + report.failed < maxAttemptsPerPass {
            let batch = try store.deliverableOutboxEntries(limit: batchSize)
            if batch.isEmpty { break }
            for entry in batch {
                switch await send(entry) {
                case .delivered:
                    try store.markDelivered(entry.id)
                    report.delivered += 1
                case .failed(let error, let unreachable):
                    try store.markFailed(entry.id, error: error, retryAfter: backoff(entry.attempts + 1))
                    report.failed += 1
                    report.lastError = error
                    if unreachable {
                        report.unreachable = true
                        break pass
                    }
                }
            }
        }
        report.pending = try store.pendingOutboxCount()
        return report
    }

    private enum Result {
        case delivered
        case failed(String, unreachable: Bool)
    }

    private func send(_ entry: OutboxEntry) async -> Result {
        // The envelope's `event_type` names the webhook.
        let eventType = (try? JSONValue(parsing: entry.payloadJSON))?["event_type"]?.string ?? "event"
        var request = HTTPRequest(
            method: .post, url: endpoints.webhookURL(eventType), body: Array(entry.payloadJSON.utf8))
        request.headers["Content-Type"] = "application/json"
        request.headers["Idempotency-Key"] = entry.idempotencyKey
        request.timeout = requestTimeout
        do {
            let response = try await transport.send(request)
            try response.ensureSuccess()
            return .delivered
        } catch {
            let unreachable: Bool =
                switch error.kind {
                case .connectFailed, .timedOut, .connectionClosed: true
                case .status: [502, 503, 504].contains(error.status ?? 0)
                default: false
                }
            return .failed(error.description, unreachable: unreachable)
        }
    }
}
