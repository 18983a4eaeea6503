import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// The agent endpoint's WebSocket feed over real loopback TCP, fed from a real state file, read by
/// Debian's python3-websockets: hello, events in order, resume, the token, the close handshake.
@Suite(.enabled(if: AgentWebSocketClient.isAvailable, "needs /usr/bin/python3 with python3-websockets"))
struct AgentWebSocketTests {
    /// An endpoint serving a fresh state file; events are recorded straight into the store.
    struct Endpoint {
        let directory = TemporaryDirectory("chainbot-ws")
        let store: SQLiteStateStore
        let server: HTTPServer

        /// `tick`: how often a client's feed looks at the store (the agent's default is 100 ms).
        init(token: String? = nil, tick: Duration = .milliseconds(20)) throws {
            store = try SQLiteStateStore.open(path: directory.file("state.db"))
            server = try AgentEndpoint(
                store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: token,
                webSocketTick: tick
            ).start(host: "127.0.0.1", port: 0)
        }

        /// Records one occurrence of an `Applied` event about `ConfigFile/name`.
        func record(_ name: String, _ message: String = "changed") throws {
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Applied", regardingKind: "ConfigFile", regardingName: name,
                    message: message),
                outboxPayload: nil)
        }

        func client(_ target: String, _ arguments: [String] = []) async throws -> AgentWebSocketClient.Transcript {
            try await AgentWebSocketClient.run(port: server.port, target, arguments)
        }
    }

    /// Microseconds since the epoch, the clock Python's `time.time_ns()` reads.
    static func wallMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    @Test func aClientGetsHelloThenAThousandEventsInOrderLiveAndReplayed() async throws {
        // The agent's own tick, so the latency printed is the one a GUI sees.
        let endpoint = try Endpoint(tick: .milliseconds(100))
        try endpoint.record("before")
        let client = try AgentWebSocketClient.Background.start(
            port: endpoint.server.port, "/ws", ["--events", "1000", "--stamp"],
            log: endpoint.directory.file("client.log"))
        try await client.wait(for: "hello") { $0.contains("\"type\":\"hello\"") }
        for index in 0..<1000 { try endpoint.record("e\(index)", "t=\(Self.wallMicroseconds())") }
        try await client.wait(for: "its close") { $0.hasPrefix("closed ") }
        let live = client.transcript
        // The same thousand again from the store, in batches, by a client that starts after the first event.
        let replayed = try await endpoint.client("/ws?since=1", ["--events", "1000"])
        await endpoint.server.stop()

        let thousand = (0..<1000).map { "ConfigFile/e\($0) ×1" }
        #expect(live.messages.first?["type"]?.string == "hello")
        #expect(live.messages.first?["since"]?.int == 1, "the event before the client connected is not sent")
        #expect(live.events == thousand)
        #expect(live.ids == Array(2...1001))
        #expect(live.closed == "closed 1000 ")
        #expect(replayed.events == thousand)
        #expect(replayed.ids == Array(2...1001))
        let latencies = Self.latencies(live).sorted()
        #expect(latencies.count == 1000)
        if !latencies.isEmpty {
            print(
                "websocket event → client latency over \(latencies.count) live events: median "
                    + "\(latencies[latencies.count / 2]) µs, p99 \(latencies[latencies.count * 99 / 100]) µs")
        }
    }

    /// Receive time minus record time (`t=` in the message), in microseconds, of each live event.
    static func latencies(_ transcript: AgentWebSocketClient.Transcript) -> [Int64] {
        transcript.lines.compactMap { line -> Int64? in
            guard let space = line.firstIndex(of: " "), let received = Int64(line[..<space]),
                let message = try? JSONValue(parsing: String(line[line.index(after: space)...])),
                let text = message["event"]?["message"]?.string, text.hasPrefix("t="),
                let recorded = Int64(text.dropFirst(2))
            else { return nil }
            return received - recorded
        }
    }

    @Test func reconnectingWithSinceGetsExactlyTheMissedEventsInOrder() async throws {
        let endpoint = try Endpoint()
        for name in ["one", "two", "three"] { try endpoint.record(name) }
        let first = try await endpoint.client("/ws?since=0", ["--events", "3"])
        let last = try #require(first.ids.last)
        // While no one listens: two new events, a repeat of an old one, and a sentinel last.
        for name in ["four", "five", "two", "sentinel"] { try endpoint.record(name) }
        let second = try await endpoint.client("/ws?since=\(last)", ["--events", "4"])
        let resumed = try await endpoint.client(
            "/api/v1/events/ws", ["--send", "{\"resume\": \(last)}", "--events", "4"])
        await endpoint.server.stop()

        #expect(first.events == ["ConfigFile/one ×1", "ConfigFile/two ×1", "ConfigFile/three ×1"])
        let missed = ["ConfigFile/four ×1", "ConfigFile/five ×1", "ConfigFile/two ×2", "ConfigFile/sentinel ×1"]
        #expect(second.events == missed)
        #expect(resumed.events == missed, "a {\"resume\": ID} message replays the same")
        let ids = first.ids + second.ids
        #expect(ids == ids.sorted() && Set(ids).count == 7, "ids \(ids) rise")
    }

    @Test func aMissingOrWrongTokenIsRefused401BeforeTheUpgrade() async throws {
        let endpoint = try Endpoint(token: "s3cret-token")
        try endpoint.record("one")
        let missing = try await endpoint.client("/ws?since=0", ["--events", "1"])
        let wrong = try await endpoint.client("/ws?since=0&token=nope", ["--events", "1"])
        let wrongProtocol = try await endpoint.client(
            "/ws?since=0", ["--subprotocol", "chainbot", "--subprotocol", "bearer.nope", "--events", "1"])
        let header = try await endpoint.client(
            "/ws?since=0", ["--header", "Authorization:Bearer s3cret-token", "--events", "1"])
        let query = try await endpoint.client("/ws?since=0&token=s3cret%2Dtoken", ["--events", "1"])
        let subprotocol = try await endpoint.client(
            "/ws?since=0", ["--subprotocol", "chainbot", "--subprotocol", "bearer.s3cret-token", "--events", "1"])
        await endpoint.server.stop()

        #expect(missing.refused == "refused 401")
        #expect(wrong.refused == "refused 401")
        #expect(wrongProtocol.refused == "refused 401")
        for accepted in [header, query, subprotocol] {
            #expect(accepted.refused == nil)
            #expect(accepted.events == ["ConfigFile/one ×1"])
        }
        #expect(subprotocol.lines.first == "subprotocol chainbot")
    }

    @Test func theCloseHandshakeIsAnsweredAndAStoppingAgentSaysGoingAway() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("one")
        // The client closes (1000): the server answers with its own close frame (else Python reports 1006).
        let clientCloses = try await endpoint.client("/ws?since=0", ["--events", "1"])
        let waiting = try AgentWebSocketClient.Background.start(
            port: endpoint.server.port, "/ws", ["--wait-close"], log: endpoint.directory.file("client.log"))
        try await waiting.wait(for: "hello") { $0.contains("\"type\":\"hello\"") }
        await endpoint.server.stop(grace: .seconds(10))
        try await waiting.wait(for: "its close") { $0.hasPrefix("closed ") }

        #expect(clientCloses.closed == "closed 1000 ")
        #expect(waiting.transcript.closed == "closed 1001 the server is stopping")
    }

    @Test func aResourcesStatusChangeIsSentAsAStatusMessage() async throws {
        let endpoint = try Endpoint()
        try endpoint.store.recordStatus(
            ResourceStatus(kind: "ConfigFile", name: "motd", sync: .synced, health: .healthy, updatedAt: .now()))
        let client = try AgentWebSocketClient.Background.start(
            port: endpoint.server.port, "/ws", ["--events", "1"], log: endpoint.directory.file("client.log"))
        try await client.wait(for: "hello") { $0.contains("\"type\":\"hello\"") }
        try endpoint.store.recordStatus(
            ResourceStatus(kind: "ConfigFile", name: "motd", sync: .outOfSync, health: .degraded, updatedAt: .now()))
        try await client.wait(for: "the status change") { $0.contains("\"type\":\"status\"") }
        try endpoint.record("done")
        try await client.wait(for: "its close") { $0.hasPrefix("closed ") }
        await endpoint.server.stop()

        let messages = client.transcript.messages
        #expect(messages.first?["counts"]?["synced"]?.int == 1)
        let status = try #require(messages.first { $0["type"]?.string == "status" })
        #expect(status["regarding"]?.string == "ConfigFile/motd")
        #expect(status["resource"]?["sync"]?.string == "OutOfSync")
        #expect(status["resource"]?["health"]?.string == "Degraded")
        #expect(messages.count(where: { $0["type"]?.string == "status" }) == 1, "the unchanged status is not sent")
    }

    @Test func aPlainGETOfTheWebSocketPathIsAnswered400() async throws {
        let endpoint = try Endpoint()
        let plain = try await HTTPClient().send(HTTPRequest(url: endpoint.server.baseURL + "/ws"))
        await endpoint.server.stop()

        #expect(plain.status == 400)
        #expect(plain.text.contains("WebSocket handshake"))
    }
}
