import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// The agent endpoint names an event's resource as `chainbot events -o json` does (`resource`, `kind`,
/// `name`; docs/json-output.md), in `/api/v1/events`, `/api/v1/status`, the event stream and `/ws`, with
/// `regarding` kept beside them for one release. Real state file, real loopback HTTP.
struct AgentEventSpellingTests {
    /// An endpoint over a fresh state file holding one `DriftDetected` event about `Service/web`.
    struct Endpoint {
        let directory = TemporaryDirectory("chainbot-spelling")
        let store: SQLiteStateStore
        let server: HTTPServer
        var statePath: String { directory.file("state.db") }

        init() throws {
            store = try SQLiteStateStore.open(path: directory.file("state.db"))
            try store.recordEvent(
                Event(
                    type: .warning, reason: "DriftDetected", regardingKind: "Service", regardingName: "web",
                    message: "state: stopped → running"),
                outboxPayload: nil)
            server = try AgentEndpoint(
                store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: nil,
                eventPoll: .milliseconds(20), webSocketTick: .milliseconds(20)
            ).start(host: "127.0.0.1", port: 0)
        }

        func get(_ path: String) async throws -> JSONValue {
            let response = try await HTTPClient().send(HTTPRequest(url: server.baseURL + path))
            #expect(response.status == 200, "\(path): \(response.text)")
            return try JSONValue(parsing: response.text)
        }

        /// The one event as `chainbot events -o json` prints it.
        func cliEvent() async throws -> JSONValue {
            let run = await CLIHarness.run(["events", "-o", "json", "--state", statePath])
            #expect(run.status == 0, "\(run.stderr)")
            let document = try JSONValue(parsing: run.stdout)
            return try #require(document["events"]?.array?.first)
        }
    }

    /// `resource`, `kind`, `name` of an event object, and its deprecated `regarding`.
    static func naming(_ event: JSONValue?) -> [String?] {
        ["resource", "kind", "name"].map { event?[$0]?.string }
    }

    @Test func theEventsAPIAndTheStatusAPINameAnEventsResourceAsTheCLIDoes() async throws {
        let endpoint = try Endpoint()
        let cli = try await endpoint.cliEvent()
        let listed = try await endpoint.get("/api/v1/events").array?.first
        let status = try await endpoint.get("/api/v1/status")
        await endpoint.server.stop()

        #expect(Self.naming(cli) == ["Service/web", "Service", "web"])
        #expect(Self.naming(listed) == Self.naming(cli))
        #expect(Self.naming(status["events"]?.array?.first) == Self.naming(cli))
        #expect(listed?["regarding"]?.string == "Service/web", "the deprecated spelling stays one release")
        for member in ["id", "type", "reason", "message", "count", "firstSeen", "lastSeen", "generation"] {
            #expect(listed?[member] == cli[member], "\(member) agrees too")
        }
    }

    @Test func theEventStreamNamesAnEventsResourceAsTheCLIDoes() async throws {
        let endpoint = try Endpoint()
        let cli = try await endpoint.cliEvent()
        let stream = try await EventStreamClient.connect(
            port: endpoint.server.port, path: "/api/v1/events/stream?lastEventId=0")
        let message = try await stream.next(within: .seconds(120))
        stream.close()
        await endpoint.server.stop()

        let data = try JSONValue(parsing: message.data)
        #expect(Self.naming(data) == Self.naming(cli))
        #expect(data["regarding"]?.string == "Service/web")
    }

    @Test(.enabled(if: AgentWebSocketClient.isAvailable, "needs /usr/bin/python3 with python3-websockets"))
    func webSocketEventAndStatusMessagesNameTheResourceAsTheCLIDoes() async throws {
        let endpoint = try Endpoint()
        let cli = try await endpoint.cliEvent()
        try endpoint.store.recordStatus(
            ResourceStatus(kind: "Service", name: "web", sync: .synced, health: .healthy, updatedAt: .now()))
        let client = try AgentWebSocketClient.Background.start(
            port: endpoint.server.port, "/ws?since=0", ["--events", "2"], log: endpoint.directory.file("client.log"))
        try await client.wait(for: "the first event", within: .seconds(120)) { $0.contains("\"type\":\"event\"") }
        try endpoint.store.recordStatus(
            ResourceStatus(kind: "Service", name: "web", sync: .outOfSync, health: .degraded, updatedAt: .now()))
        try await client.wait(for: "the status change", within: .seconds(120)) { $0.contains("\"type\":\"status\"") }
        try endpoint.store.deleteStatus(kind: "Service", name: "web")
        try await client.wait(for: "the removal", within: .seconds(120)) { $0.contains("\"removed\":true") }
        try endpoint.store.recordEvent(
            Event(type: .normal, reason: "Applied", regardingKind: "Service", regardingName: "done", message: "ok"),
            outboxPayload: nil)
        try await client.wait(for: "its close", within: .seconds(120)) { $0.hasPrefix("closed ") }
        await endpoint.server.stop()

        let messages = client.transcript.messages
        let event = try #require(messages.first { $0["type"]?.string == "event" })
        #expect(Self.naming(event["event"]) == Self.naming(cli))
        #expect(event["event"]?["regarding"]?.string == "Service/web")
        let changed = try #require(messages.first { $0["type"]?.string == "status" && $0["removed"] == nil })
        let removed = try #require(messages.first { $0["type"]?.string == "status" && $0["removed"] != nil })
        for status in [changed, removed] {
            #expect([status["kind"]?.string, status["name"]?.string] == ["Service", "web"])
            #expect(status["regarding"]?.string == "Service/web", "the deprecated spelling stays one release")
        }
        #expect(Self.naming(changed["resource"]) == Self.naming(cli), "the status object names it as well")
    }
}
