import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// The agent's local endpoint, served by the real `chainbot agent` process: health, readiness, metrics,
/// the JSON API, the live event stream, the token, and the status page in a real headless browser.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct AgentEndpointTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: Fixtures.exists)

    /// A running agent over two ConfigFiles in a temporary directory, its endpoint's base URL.
    struct RunningAgent {
        let directory: TemporaryDirectory
        let process: DetachedProcess
        let port: Int
        var baseURL: String { "http://127.0.0.1:\(port)" }

        static func start(extra: [String] = []) async throws -> RunningAgent {
            let directory = TemporaryDirectory()
            let out = directory.file("out")
            mkdir(out, 0o755)
            directory.write(
                "m/files.yaml",
                """
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: greeting}
                spec: {path: \(out)/greeting.txt, content: "hello\\n"}
                ---
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: motd}
                spec: {path: \(out)/motd.txt, content: "<b>not markup</b>\\n"}
                """)
            let process = try DetachedProcess.launch(
                binary,
                [
                    "agent", "-f", directory.file("m"), "--state", directory.file("state.db"), "--resync", "1s",
                    "--listen",
                    "127.0.0.1:0",
                ] + extra,
                logPath: directory.file("agent.log"))
            // Generous: a loaded 2-core machine can take many seconds to start it.
            for _ in 0..<2400 {
                if let log = Fixtures.readText(directory.file("agent.log")),
                    let range = log.firstRange(of: "status on http://127.0.0.1:")
                {
                    let port = Int(log[range.upperBound...].prefix { $0.isNumber }) ?? 0
                    return RunningAgent(directory: directory, process: process, port: port)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
            throw TestFailure(
                "the agent did not report its endpoint: \(Fixtures.readText(directory.file("agent.log")) ?? "")")
        }

        func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
            try await HTTPClient().send(HTTPRequest(url: baseURL + path, headers: headers))
        }

        func stop() {
            process.stop()
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func servesHealthMetricsTheJSONAPIAndALiveEventStream() async throws {
        let agent = try await RunningAgent.start()
        defer { agent.stop() }
        #expect(try await agent.get("/healthz").text == "ok\n")
        var ready = false
        for _ in 0..<50 where !ready {
            ready = try await agent.get("/readyz").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)
        // Created resources are Progressing until the next pass (a 1 s resync here) sees them healthy.
        var metrics = try await agent.get("/metrics")
        for _ in 0..<40 where !metrics.text.contains("health=\"Healthy\"} 2\n") {
            try await Task.sleep(for: .milliseconds(100))
            metrics = try await agent.get("/metrics")
        }
        #expect(metrics.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.text.contains("# TYPE chainbot_reconcile_passes_total counter\n"))
        #expect(metrics.text.contains("chainbot_resources{sync=\"Synced\",health=\"Healthy\"} 2\n"), "\(metrics.text)")
        #expect(metrics.text.contains("chainbot_outbox_backlog 0\n"))
        let resources = try await agent.get("/api/v1/resources")
        #expect(resources.text.contains("\"name\": \"greeting\""))
        let one = try await agent.get("/api/v1/resources/ConfigFile/motd")
        #expect(one.status == 200)
        #expect(try await agent.get("/api/v1/resources/ConfigFile/nope").status == 404)
        #expect(try await agent.get("/nope").status == 404)
        let post = try await HTTPClient().send(HTTPRequest(method: .post, url: agent.baseURL + "/api/v1/resources"))
        #expect(post.status == 405, "read-only")

        // The live stream: tamper with a file, the agent heals it, the stream carries the events.
        let stream = try await EventStreamClient.connect(port: agent.port, path: "/api/v1/events/stream")
        defer { stream.close() }
        #expect(Fixtures.write(agent.directory.file("out/greeting.txt"), "tampered\n"))
        var received: [EventStreamClient.Message] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while !received.contains(where: { $0.summary.hasPrefix("Applied ConfigFile/greeting ") }),
            ContinuousClock.now < deadline
        {
            received.append(try await stream.next(within: .seconds(60)))
        }
        #expect(received.contains { $0.summary.hasPrefix("DriftDetected ConfigFile/greeting ") }, "\(received)")
        #expect(received.contains { $0.summary.hasPrefix("Applied ConfigFile/greeting ") }, "\(received)")
        #expect(received.allSatisfy { $0.id.flatMap { Int($0) } != nil }, "every event has a numeric id")
        #expect(Fixtures.readText(agent.directory.file("out/greeting.txt")) == "hello\n")
    }

    @Test func aTokenGuardsEverythingButHealthz() async throws {
        let directory = TemporaryDirectory()
        let tokenFile = directory.write("token", "s3cret-token-0123456789\n")
        let agent = try await RunningAgent.start(extra: ["--token-file", tokenFile])
        defer { agent.stop() }
        #expect(try await agent.get("/healthz").status == 200)
        #expect(try await agent.get("/metrics").status == 401)
        #expect(try await agent.get("/", headers: ["Authorization": "Bearer wrong"]).status == 401)
        let allowed = try await agent.get("/metrics", headers: ["Authorization": "Bearer s3cret-token-0123456789"])
        #expect(allowed.status == 200)
    }

    @Test func refusesToListenBeyondLoopbackWithoutAToken() async throws {
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(Self.binary, ["agent", "-f", "/nonexistent", "--listen", "0.0.0.0:9100"]))
        #expect(result.termination == .exited(64))
        #expect(result.errorOutput.contains("reachable from the network; give a --token-file"))
    }

    @Test func aTakenPortIsReportedOnceWithTheAddress() async throws {
        let directory = TemporaryDirectory()
        let taken = try HTTPServer(handler: { _ in HTTPResponse(status: 200) })
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                Self.binary,
                [
                    "agent", "-f", directory.file("m"), "--state", directory.file("state.db"), "--listen",
                    "127.0.0.1:\(taken.port)",
                ]))
        await taken.stop()

        #expect(result.termination == .exited(2))
        #expect(
            result.errorOutput.contains(
                "chainbot agent: cannot listen on 127.0.0.1:\(taken.port): Address already in use\n"),
            "\(result.errorOutput)")
        #expect(result.errorOutput.components(separatedBy: "cannot listen").count == 2, "said once")
    }

    /// Runs the agent with `--token-file path` and returns what it said; it must stop at the token file.
    static func agentWithTokenFile(_ path: String) async throws -> CommandResult {
        let directory = TemporaryDirectory()
        return try await SpawnCommandRunner().run(
            CommandInvocation(
                binary,
                [
                    "agent", "-f", directory.file("m"), "--state", directory.file("state.db"), "--listen",
                    "127.0.0.1:0", "--token-file", path,
                ], timeout: .seconds(20)))
    }

    @Test func aTokenFileWithWhitespaceInsideIsRefusedNamingTheFile() async throws {
        let directory = TemporaryDirectory()
        let path = directory.write("token", "s3cret-token 0123456789\n")
        let result = try await Self.agentWithTokenFile(path)

        #expect(result.termination == .exited(64))
        #expect(
            result.errorOutput
                == "chainbot agent: the token file \(path) has whitespace inside the token; write the token alone on one line\n"
        )
    }

    @Test func aTokenFileThatIsADeviceIsRefusedAtOnce() async throws {
        let start = ContinuousClock.now
        let result = try await Self.agentWithTokenFile("/dev/zero")

        #expect(result.termination == .exited(64))
        #expect(
            result.errorOutput
                == "chainbot agent: the token file /dev/zero is a character device, not a regular file\n")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test(
        .enabled(if: chromium != nil, "needs Debian's chromium for a real headless browser (apt-get install chromium)"))
    func theStatusPageRendersInARealBrowser() async throws {
        let agent = try await RunningAgent.start()
        defer { agent.stop() }
        // Text the page shows (an event's message) that would be markup if it were not escaped.
        try SQLiteStateStore.open(path: agent.directory.file("state.db")).recordEvent(
            Event(
                type: .normal, reason: "Applied", regardingKind: "ConfigFile", regardingName: "motd",
                message: "<b>not markup</b>"),
            outboxPayload: nil)
        var ready = false
        for _ in 0..<1200 where !ready {
            ready = try await agent.get("/readyz").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        let shot = agent.directory.file("status.png")
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            // The page keeps an event stream open, so wait a fixed time rather than for the network to idle.
            "--window-size=1200,800", "--timeout=3000",
        ]
        let dom = try await SpawnCommandRunner().run(
            CommandInvocation(
                try #require(Self.chromium), flags + ["--dump-dom", agent.baseURL + "/"], timeout: .seconds(60)))
        #expect(dom.succeeded, "\(dom.errorOutput)")
        #expect(dom.output.contains("<title>chainbot — All in sync</title>"), "\(dom.output.prefix(400))")
        #expect(dom.output.contains("<td>greeting</td>"))
        #expect(dom.output.contains("&lt;b&gt;not markup&lt;/b&gt;"), "the event's message is shown as text")
        #expect(!dom.output.contains("<b>not markup</b>"))
        let picture = try await SpawnCommandRunner().run(
            CommandInvocation(
                try #require(Self.chromium), flags + ["--screenshot=\(shot)", agent.baseURL + "/"],
                timeout: .seconds(60)))
        #expect(picture.succeeded, "\(picture.errorOutput)")
        let bytes = Fixtures.read(shot) ?? []
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(bytes.count > 10_000, "a rendered page, not a blank one")
        if let keep = ProcessInfoLite.environment("CHAINBOT_KEEP_SCREENSHOT") {
            _ = Fixtures.write(keep, bytes)
        }
    }
}

/// Reads one environment variable without Foundation.
enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
