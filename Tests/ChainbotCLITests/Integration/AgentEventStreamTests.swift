import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// The agent endpoint's live event stream over real HTTP on loopback, fed from a real state file: a client
/// that reconnects with `Last-Event-ID` gets exactly what it missed, in order, once.
@Suite struct AgentEventStreamTests {
    /// An endpoint serving a fresh state file; events are recorded straight into the store.
    struct Endpoint {
        let directory = TemporaryDirectory("chainbot-stream")
        let store: SQLiteStateStore
        let server: HTTPServer

        init() throws {
            store = try SQLiteStateStore.open(path: directory.file("state.db"))
            server = try AgentEndpoint(
                store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: nil,
                eventPoll: .milliseconds(50)
            ).start(host: "127.0.0.1", port: 0)
        }

        /// Records one occurrence of a `reason` event about `ConfigFile/name`.
        func record(_ reason: Event.Reason, _ name: String, _ message: String = "changed") throws {
            try store.recordEvent(
                Event(
                    type: .normal, reason: reason, regardingKind: "ConfigFile", regardingName: name, message: message),
                outboxPayload: nil)
        }

        func stream(_ headers: [(String, String)] = [], query: String = "") async throws -> EventStreamClient {
            try await EventStreamClient.connect(
                port: server.port, path: "/api/v1/events/stream" + query, headers: headers)
        }
    }

    @Test func reconnectingWithLastEventIDGetsExactlyTheMissedEventsInOrderOnce() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("Applied", "one")
        try endpoint.record("Applied", "two")
        try endpoint.record("Applied", "three")

        // Read everything from the start, then one event live, then stop reading.
        let first = try await endpoint.stream([("Last-Event-ID", "0")])
        let replayed = try await first.next(3)
        try endpoint.record("DriftDetected", "four")
        let live = try await first.next()
        first.close()
        #expect(
            replayed.map(\.summary) == [
                "Applied ConfigFile/one ×1", "Applied ConfigFile/two ×1", "Applied ConfigFile/three ×1",
            ])
        #expect(live.summary == "DriftDetected ConfigFile/four ×1")

        // While no one listens: two new events and a repeat of an old one.
        try endpoint.record("Applied", "five")
        try endpoint.record("Applied", "two")
        try endpoint.record("Pruned", "six")

        let second = try await endpoint.stream([("Last-Event-ID", try #require(live.id))])
        let missed = try await second.next(3)
        // A sentinel recorded now must come next: nothing was sent twice and nothing else came between.
        try endpoint.record("Applied", "sentinel")
        let after = try await second.next()
        second.close()

        #expect(
            missed.map(\.summary) == [
                "Applied ConfigFile/five ×1", "Applied ConfigFile/two ×2", "Pruned ConfigFile/six ×1",
            ])
        #expect(after.summary == "Applied ConfigFile/sentinel ×1")
        let ids = (replayed + [live] + missed + [after]).compactMap { $0.id.flatMap { Int($0) } }
        #expect(ids.count == 8 && ids == ids.sorted() && Set(ids).count == 8, "ids \(ids) rise")
        await endpoint.server.stop()
    }

    @Test func withoutLastEventIDTheStreamStartsFromNow() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("Applied", "old")
        let stream = try await endpoint.stream()
        try endpoint.record("Applied", "new")
        let message = try await stream.next()
        stream.close()

        #expect(stream.head.contains("Content-Type: text/event-stream"))
        #expect(message.summary == "Applied ConfigFile/new ×1")
        await endpoint.server.stop()
    }

    @Test func theLastEventIdQueryReplaysForClientsThatCannotSetHeaders() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("Applied", "one")
        try endpoint.record("Applied", "two")
        let all = try await endpoint.stream(query: "?lastEventId=0")
        let both = try await all.next(2)
        all.close()
        let rest = try await endpoint.stream(query: "?lastEventId=\(try #require(both.first?.id))")
        let second = try await rest.next()
        rest.close()

        #expect(both.map(\.summary) == ["Applied ConfigFile/one ×1", "Applied ConfigFile/two ×1"])
        #expect(second.summary == "Applied ConfigFile/two ×1")
        await endpoint.server.stop()
    }

    static let python = "/usr/bin/python3"

    /// Reads the event stream with Python's http.client until an event regards `until`; prints
    /// `id event regarding count` per event.
    static let pythonClient = """
        import http.client, json, sys
        port, last, until = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Accept": "text/event-stream"}
        if last != "-":
            headers["Last-Event-ID"] = last
        connection.request("GET", "/api/v1/events/stream", headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            sys.exit("HTTP %d" % response.status)
        fields = {}
        while True:
            line = response.readline()
            if not line:
                sys.exit("the stream ended")
            line = line.decode("utf-8").rstrip("\\n")
            if line == "":
                if "data" in fields:
                    data = json.loads(fields["data"])
                    print(fields.get("id"), fields.get("event"), data["regarding"], data["count"], flush=True)
                    if data["regarding"] == until:
                        break
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
        connection.close()
        """

    @Test(.enabled(if: Fixtures.exists(python), "needs Debian's /usr/bin/python3 as a client chainbot did not write"))
    func aPythonClientThatReconnectsWithLastEventIDMissesNothing() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("Applied", "one")
        try endpoint.record("Applied", "two")
        let port = String(endpoint.server.port)
        func python(_ last: String, until: String) async throws -> [[String]] {
            let result = try await SpawnCommandRunner().run(
                CommandInvocation(Self.python, ["-c", Self.pythonClient, port, last, until], timeout: .seconds(60)))
            #expect(result.succeeded, "\(result.errorOutput)")
            return result.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        }

        let first = try await python("0", until: "ConfigFile/two")
        try endpoint.record("Applied", "three")
        try endpoint.record("Applied", "one")
        try endpoint.record("Applied", "sentinel")
        let second = try await python(try #require(first.last?.first), until: "ConfigFile/sentinel")

        #expect(
            first.map { $0.dropFirst() } == [["Applied", "ConfigFile/one", "1"], ["Applied", "ConfigFile/two", "1"]])
        #expect(
            second.map { $0.dropFirst() } == [
                ["Applied", "ConfigFile/three", "1"], ["Applied", "ConfigFile/one", "2"],
                ["Applied", "ConfigFile/sentinel", "1"],
            ])
        let ids = (first + second).compactMap { $0.first.flatMap { Int($0) } }
        #expect(ids == ids.sorted() && Set(ids).count == 5, "ids \(ids) rise")
        await endpoint.server.stop()
    }

    @Test func theStatusPageEscapesTheTextItShows() async throws {
        let endpoint = try Endpoint()
        try endpoint.record("ApplyFailed", "motd", "<b>not markup</b> & \"quoted\"")
        let page = try await HTTPClient().send(HTTPRequest(url: endpoint.server.baseURL + "/"))
        await endpoint.server.stop()

        #expect(page.text.contains("&lt;b&gt;not markup&lt;/b&gt; &amp; &quot;quoted&quot;"), "\(page.text)")
        #expect(!page.text.contains("<b>not markup</b>"))
    }
}
