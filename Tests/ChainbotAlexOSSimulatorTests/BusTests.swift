import ChainbotAlexOSSimulator
import ChainbotCore
import Testing

@testable import ChainbotHTTP

/// The simulator's event bus at `/ws/events` over real loopback WebSocket: what it records, what it
/// pushes, and its faults, all through the control API.
@Suite struct BusTests {
    /// Runs `body` with a WebSocket client on its own thread (never on the cooperative pool).
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try WorkerThread.start {
                    do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// The next event that is not a timeout, within 60 s.
    static func next(_ client: WebSocketClient) -> WebSocketClientEvent {
        let end = ContinuousClock.now + .seconds(60)
        while true {
            let event = client.next(until: end)
            if event != .timeout || ContinuousClock.now >= end { return event }
        }
    }

    static func envelope(_ key: String) -> String {
        #"{"event_type":"applied","source":"chainbot","data":{"idempotency_key":"\#(key)"}}"#
    }

    @Test func recordsMessagesOnceByKeyAndPushesWhatTheControlAPIIsGiven() async throws {
        try await SimulatorHarness.run { harness in
            let url = try WebSocketURL(parsing: "ws://127.0.0.1:\(harness.server.port)/ws/events")
            // One thread at a time uses the client: the test's steps run one after the other.
            let held = try await Self.offPool { Held(try WebSocketClient.connect(url)) }
            let pong = try await Self.offPool {
                for key in ["k1", "k2", "k1"] { try held.client.send(text: Self.envelope(key)) }
                try held.client.ping(Array("ack:3".utf8))
                return Self.next(held.client)
            }
            let sent = try await harness.post(
                "/_sim/bus/send", .object([("event_type", .string("reconcile_request"))]))
            let pushed = try await Self.offPool { Self.next(held.client) }
            let record = try await harness.get("/_sim/bus").jsonValue()

            #expect(pong == .pong(Array("ack:3".utf8)))
            #expect(try sent.jsonValue()["sent_to"]?.int == 1)
            #expect(pushed == .text(#"{"event_type":"reconcile_request"}"#))
            #expect(record["received"]?.array?.compactMap { $0["idempotency_key"]?.string } == ["k1", "k2"])
            #expect(record["duplicates"]?.int == 1)
            #expect(record["open_connections"]?.int == 1)
            try await Self.offPool { held.client.close() }
        }
    }

    @Test func aDropFaultEndsTheConnectionWithoutKeepingTheMessageAndADelayStallsIt() async throws {
        try await SimulatorHarness.run { harness in
            let url = try WebSocketURL(parsing: "ws://127.0.0.1:\(harness.server.port)/ws/events")
            let added = try await harness.post(
                "/_sim/bus/faults", .object([("mode", .string("drop")), ("count", .int(1))]))
            let dropped = try await Self.offPool {
                let client = try WebSocketClient.connect(url)
                try client.send(text: Self.envelope("lost"))
                return Self.next(client)
            }
            _ = try await harness.post(
                "/_sim/bus/faults", .object([("mode", .string("delay")), ("delay_ms", .int(1500))]))
            let stalled = try await Self.offPool { () throws -> Duration in
                let client = try WebSocketClient.connect(url)
                try client.send(text: Self.envelope("slow"))
                try client.ping([1])
                let start = ContinuousClock.now
                _ = Self.next(client)
                return ContinuousClock.now - start
            }
            let record = try await harness.get("/_sim/bus").jsonValue()

            #expect(added.status == 201)
            guard case .closed(nil, _) = dropped else {
                Issue.record("expected the connection to end without a close frame, got \(dropped)")
                return
            }
            #expect(stalled >= .milliseconds(1400), "the pong came \(stalled) after the stalled message")
            #expect(record["received"]?.array?.compactMap { $0["idempotency_key"]?.string } == ["slow"])
            #expect(record["connections"]?.int == 2)
        }
    }
}

/// A client handed from one test step's thread to the next's (never used by two at once).
final class Held: @unchecked Sendable {
    let client: WebSocketClient
    init(_ client: WebSocketClient) { self.client = client }
}
