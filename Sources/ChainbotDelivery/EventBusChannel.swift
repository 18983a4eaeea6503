public import ChainbotCore
public import ChainbotHTTP
import Glibc
import Synchronization

/// The outbox as the event bus channel sees it: entries after a number, the channel's cursor, and the
/// record that the bus has everything through a number (closures over the state store).
public struct EventBusOutbox: Sendable {
    public var entries: @Sendable (_ after: Int64, _ limit: Int) throws(StoreError) -> [OutboxEntry]
    /// Every entry up to this number has been delivered on the bus.
    public var cursor: @Sendable () throws(StoreError) -> Int64
    /// The bus confirmed the entries after the first number through the second.
    public var confirm: @Sendable (_ after: Int64, _ through: Int64) throws(StoreError) -> Void

    public init(
        entries: @escaping @Sendable (Int64, Int) throws(StoreError) -> [OutboxEntry],
        cursor: @escaping @Sendable () throws(StoreError) -> Int64,
        confirm: @escaping @Sendable (Int64, Int64) throws(StoreError) -> Void
    ) {
        self.entries = entries
        self.cursor = cursor
        self.confirm = confirm
    }
}

/// Publishes the outbox on ALEX OS's event bus (`event_bus_url`, a WebSocket), one connection at a time,
/// in outbox order, each entry's webhook envelope as one text message; reads what the bus sends back.
///
/// Nothing is lost and nothing is counted twice: the outbox stays the source of truth. The channel sends
/// a batch, then a ping `ack:N` (N the batch's last entry); the bus's pong means it has read everything
/// before it (RFC 6455 frames are read in order), and only then does the store's cursor for the bus move
/// to N. A connection that ends first leaves the cursor where it was: the next connection sends again from
/// it, so at most the unconfirmed batch (`window` entries) can reach the bus twice, each with the same
/// `data.idempotency_key` for the bus to drop. Reconnects back off exponentially with jitter.
///
/// `run` blocks its thread until `stop`; it never runs on Swift's cooperative pool.
public final class EventBusChannel: Sendable {
    public struct Settings: Sendable {
        public var url: WebSocketURL
        public var client = WebSocketClientConfiguration()
        /// Entries sent before a confirmation is awaited.
        public var window = 64
        /// The wait before reconnecting after `attempts` failures in a row: 1 s doubling up to 1 min, ±10 %.
        public var backoff: @Sendable (_ attempts: Int) -> Duration = EventBusChannel.backoff
        /// How often the outbox is looked at without a wake-up (a safety net for a lost change signal).
        public var safetyPoll: Duration = .seconds(5)

        public init(url: WebSocketURL) { self.url = url }
    }

    let settings: Settings
    let outbox: EventBusOutbox
    let onRequest: @Sendable (ResourceID) -> Void
    let log: @Sendable (String) -> Void
    public let counters = EventBusCounters()
    /// Woken when the outbox may have grown (the agent subscribes it to the state file's changes).
    public let waker: WebSocketWaker?
    let stopping = Atomic<Bool>(false)

    /// `onRequest` queues a resource a `reconcile_request` named; `log` takes one line about the connection.
    public init(
        settings: Settings, outbox: EventBusOutbox, onRequest: @escaping @Sendable (ResourceID) -> Void,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.settings = settings
        self.outbox = outbox
        self.onRequest = onRequest
        self.log = log
        waker = WebSocketWaker()
    }

    /// 1 s, 2 s, 4 s … capped at 60 s, each ±10 %.
    public static func backoff(_ attempts: Int) -> Duration {
        let base = min(Duration.seconds(1 << min(max(attempts - 1, 0), 6)), .seconds(60))
        return base * Double.random(in: 0.9...1.1)
    }

    /// Something may be new in the outbox: look now.
    public func wake() { waker?.wake() }

    /// Ends `run`: the open connection is closed with 1001 (going away).
    public func stop() {
        stopping.store(true, ordering: .releasing)
        waker?.wake()
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Connects, publishes and reconnects until `stop`.
    public func run() {
        var failures = 0
        var lastLogged: String?
        while !isStopping {
            let client: WebSocketClient
            do {
                client = try WebSocketClient.connect(
                    settings.url, headers: ["User-Agent": "chainbot"], configuration: settings.client)
            } catch {
                failures += 1
                counters.ended(error.description, failedToConnect: true)
                if lastLogged != error.message { log("event bus: \(error); retrying") }
                lastLogged = error.message
                pause(settings.backoff(failures))
                continue
            }
            counters.connected()
            log("event bus: connected to \(settings.url)")
            lastLogged = nil
            let opened = ContinuousClock.now
            var connection = EventBusConnection(channel: self, client: client)
            let why = connection.serve()
            guard !isStopping else { break }
            counters.ended(why, failedToConnect: false)
            log("event bus: connection ended (\(why)); reconnecting")
            // A connection that held for a while starts the backoff again.
            failures = ContinuousClock.now - opened > .seconds(30) ? 1 : failures + 1
            pause(settings.backoff(failures))
        }
        counters.ended("stopped", failedToConnect: false)
    }

    /// Waits `duration`, or less when stopped.
    private func pause(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while !isStopping, ContinuousClock.now < end {
            if let waker {
                _ = waker.wait(until: end)
            } else {
                usleep(100_000)
            }
        }
    }
}
