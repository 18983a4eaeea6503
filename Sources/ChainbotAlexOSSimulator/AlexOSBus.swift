import ChainbotCore
import ChainbotHTTP
import Synchronization

/// The simulator's event bus at `/ws/events`: agents connect over WebSocket and publish events in the
/// webhook envelope; the bus records every message it reads (repeats of an idempotency key counted, not
/// kept twice, as ALEX OS's webhook does), can push a message to every connected agent, and injects
/// faults per message read: `drop` closes the TCP connection before the message is recorded,
/// `dropAfterCommit` after it, `delay` stalls the connection (nothing read, no pong) for the fault's delay.
///
/// Each connection runs on its own thread (`WebSocketSession`), so the bus keeps its state under a lock.
public final class AlexOSBus: Sendable {
    /// One message read on the bus.
    public struct Message: Sendable, Hashable {
        /// 1-based, in order of arrival over all connections.
        public var sequence: Int
        /// 1-based number of the connection it came on.
        public var connection: Int
        public var text: String
        public var body: JSONValue?
        public var idempotencyKey: String?
        /// When the bus read it (the process's monotonic clock, for latency measurements).
        public var receivedAt: ContinuousClock.Instant
    }

    struct State {
        var received: [Message] = []
        /// Messages whose idempotency key had been received before.
        var duplicates = 0
        var connections = 0
        /// Connections open now, with what waits to be pushed to each.
        var open: [Int: [String]] = [:]
        var wakers: [Int: WebSocketWaker] = [:]
        var faults: [Fault] = []
        var seenKeys: Set<String> = []
    }

    let state = Mutex(State())

    public init() {}

    /// Every message read, in order of arrival (repeats of a key left out).
    public var received: [Message] { state.withLock { $0.received } }
    /// How many messages repeated an idempotency key already received.
    public var duplicates: Int { state.withLock { $0.duplicates } }
    /// How many connections were opened so far.
    public var connections: Int { state.withLock { $0.connections } }
    /// How many connections are open now.
    public var openConnections: Int { state.withLock { $0.open.count } }

    /// Adds a fault applied to the messages read from now on, the first that matches.
    public func inject(_ fault: Fault) { state.withLock { $0.faults.append(fault) } }

    public func clearFaults() { state.withLock { $0.faults.removeAll() } }

    /// Queues `text` to every open connection; returns how many it goes to.
    @discardableResult
    public func push(_ text: String) -> Int {
        let wakers = state.withLock { state in
            for id in state.open.keys { state.open[id, default: []].append(text) }
            return Array(state.wakers.values)
        }
        for waker in wakers { waker.wake() }
        return wakers.count
    }

    /// Forgets what was received, the counts and the faults (open connections stay open).
    public func reset() {
        state.withLock { state in
            state.received = []
            state.duplicates = 0
            state.faults = []
            state.seenKeys = []
        }
    }

    /// The answer to a request on `/ws/events`: an upgrade to a bus connection.
    func upgrade(_ request: HTTPRequest) -> HTTPResponse {
        .webSocket(answering: request) { [self] in AlexOSBusSession(bus: self) }
    }

    func opened(waker: WebSocketWaker?) -> Int {
        state.withLock { state in
            state.connections += 1
            state.open[state.connections] = []
            if let waker { state.wakers[state.connections] = waker }
            return state.connections
        }
    }

    func closed(_ id: Int) {
        state.withLock { state in
            state.open[id] = nil
            state.wakers[id] = nil
        }
    }

    /// The messages waiting to be pushed to connection `id`, taken.
    func takePushes(_ id: Int) -> [String] {
        state.withLock { state in
            defer { state.open[id] = state.open[id].map { _ in [] } }
            return state.open[id] ?? []
        }
    }

    /// The fault that applies to the next message read, counted down.
    func takeFault() -> Fault? {
        state.withLock { state in
            guard let index = state.faults.firstIndex(where: { $0.matches(method: .post, path: "/ws/events") })
            else { return nil }
            let fault = state.faults[index]
            if let remaining = fault.remaining {
                state.faults[index].remaining = remaining - 1
                if remaining - 1 == 0 { state.faults.remove(at: index) }
            }
            return fault
        }
    }

    func record(_ text: String, connection: Int) {
        let receivedAt = ContinuousClock.now
        let body = try? JSONValue(parsing: text)
        let key = body?["data"]?["idempotency_key"]?.string
        state.withLock { state in
            if let key, !state.seenKeys.insert(key).inserted {
                state.duplicates += 1
                return
            }
            state.received.append(
                Message(
                    sequence: state.received.count + 1, connection: connection, text: text, body: body,
                    idempotencyKey: key, receivedAt: receivedAt))
        }
    }
}
