import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

@testable import ChainbotCLI

/// The status page in headless chromium, served by the real `chainbot agent`: the summary and a detail
/// view with a real diff, as screenshots (kept in docs/images when `CHAINBOT_STATUS_SCREENSHOTS` names
/// a folder).
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: StatusPageBrowser.chromium != nil, "chromium is not installed"))
struct StatusPageBrowserTests {
    /// A running agent over five ConfigFiles in a temporary directory.
    struct Agent {
        let directory = TemporaryDirectory("chainbot-page-agent")
        let process: DetachedProcess
        let port: Int
        var baseURL: String { "http://127.0.0.1:\(port)" }

        init() async throws {
            let out = directory.file("out")
            mkdir(out, 0o755)
            let files = [
                ("greeting", "", "hello\\n"), ("motd", "", "Welcome to the ALEX OS Pi\\n"),
                ("ssh-banner", "", "Authorized use only.\\nport 5420\\n"),
                ("watchtower-env", "", "WATCHTOWER_PORT=5000\\nWATCHTOWER_INTERVAL=30\\n"),
                ("alexos-env", "", "ALEXOS_URL=http://127.0.0.1:8000\\n"),
            ]
            directory.write(
                "m/files.yaml",
                files.map { name, metadata, content in
                    """
                    apiVersion: chainbot.dev/v1
                    kind: ConfigFile
                    metadata: {name: \(name)\(metadata)}
                    spec: {path: \(out)/\(name), content: "\(content)"}
                    """
                }.joined(separator: "\n---\n"))
            process = try DetachedProcess.launch(
                Fixtures.path(".build/debug/chainbot"),
                [
                    "agent", "-f", directory.file("m"), "--state", directory.file("state.db"), "--resync", "1s",
                    "--listen", "127.0.0.1:0",
                ],
                logPath: directory.file("agent.log"))
            port = try await Self.port(directory.file("agent.log"), process)
        }

        static func port(_ log: String, _ process: DetachedProcess) async throws -> Int {
            // Generous: a loaded 2-core machine can take many seconds to start it.
            let end = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < end {
                if let text = Fixtures.readText(log), let range = text.firstRange(of: "status on http://127.0.0.1:") {
                    return Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
            throw StatusPageBrowser.Failure("the agent did not report its endpoint: \(Fixtures.readText(log) ?? "")")
        }

        func get(_ path: String) async throws -> HTTPResponse {
            try await HTTPClient().send(HTTPRequest(url: baseURL + path))
        }

        /// Waits until `path` answers with a page `holds` accepts.
        func wait(for path: String, _ description: String, _ holds: (String) -> Bool) async throws -> String {
            let end = ContinuousClock.now + .seconds(120)
            var last = ""
            while ContinuousClock.now < end {
                last = (try? await get(path).text) ?? ""
                if holds(last) { return last }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw StatusPageBrowser.Failure("\(path) never showed \(description): \(last.prefix(600))")
        }
    }

    @Test func theSummaryAndADetailViewRenderInARealBrowserWithTheAgentsDiff() async throws {
        let agent = try await Agent()
        defer { agent.process.stop() }
        _ = try await agent.wait(for: "/", "five resources in sync") { $0.contains("<b>5</b>in sync") }
        // A hand edit of a suspended file: reported, not corrected, so its diff stays to be seen.
        let store = try SQLiteStateStore.open(path: agent.directory.file("state.db"))
        try store.suspend(
            Suspension(
                kind: "ConfigFile", name: "ssh-banner", until: Timestamp.now().advanced(by: .seconds(3600)),
                reason: "trying port 22"))
        #expect(Fixtures.write(agent.directory.file("out/ssh-banner"), "Authorized use only.\nport 22\n"))
        _ = try await agent.wait(for: "/resources/ConfigFile/ssh-banner", "the diff") {
            $0.contains(#"<span class="add">+port 5420</span>"#)
        }
        try store.recordEvent(
            Event(
                type: .warning, reason: .gitRemoteFailed, regardingKind: "Manifests", regardingName: "/srv/fleet",
                message: "origin failed (ssh: connect to host git.example port 22: Connection refused); backup served"),
            outboxPayload: nil)

        let summary = try await StatusPageBrowser.dom(agent.baseURL + "/")
        #expect(summary.contains("<title>chainbot — Needs attention</title>"), "\(summary.prefix(600))")
        #expect(summary.contains("<h2>Agent warnings in the last hour</h2>"))
        #expect(
            summary.contains(
                #"<td>ssh-banner <span class="pill held">held</span></td><td><span class="pill outofsync">OutOfSync"#))
        #expect(summary.contains("<h2>1 resource suspended</h2>"))
        let detail = try await StatusPageBrowser.dom(agent.baseURL + "/resources/ConfigFile/ssh-banner")
        #expect(detail.contains("reported, not corrected: held ("), "\(detail.prefix(600))")
        #expect(detail.contains(#"<span class="del">-port 22</span><span class="add">+port 5420</span>"#))
        #expect(detail.contains("<td>Suspended</td>"))

        let folder = ProcessInfoLite.environment("CHAINBOT_STATUS_SCREENSHOTS")
        for (path, name) in [("/", "status-summary.png"), ("/resources/ConfigFile/ssh-banner", "status-detail.png")] {
            let shot = agent.directory.file(name)
            try await StatusPageBrowser.screenshot(agent.baseURL + path, to: shot)
            let bytes = Fixtures.read(shot) ?? []
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
            #expect(bytes.count > 20_000, "\(name) is a rendered page, not a blank one")
            if let folder { _ = Fixtures.write(folder + "/" + name, bytes) }
        }
    }
}

/// Headless chromium, run as a child process (argv, no shell).
enum StatusPageBrowser {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: Fixtures.exists)

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
        "--no-first-run", "--window-size=1200,900",
    ]

    /// The DOM once the page loaded (with `--virtual-time-budget` in `extra`, once its script ran that long).
    static func dom(_ url: String, extra: [String] = []) async throws -> String {
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                try #require(chromium), flags + extra + ["--timeout=60000", "--dump-dom", url], timeout: .seconds(120)))
        guard result.succeeded else { throw Failure("chromium --dump-dom \(url): \(result.errorOutput)") }
        return result.output
    }

    static func screenshot(_ url: String, to path: String) async throws {
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                try #require(chromium), flags + ["--timeout=60000", "--screenshot=\(path)", url],
                timeout: .seconds(120)))
        guard result.succeeded else { throw Failure("chromium --screenshot \(url): \(result.errorOutput)") }
    }
}

/// The page in a real browser switches to the agent's WebSocket: chromium opens `/ws` from the page's
/// script, and an event recorded after the page was made reaches the DOM over the socket (the page
/// fetches its own URL again and swaps its `<main>`), with no second navigation.
@Suite(.enabled(if: StatusPageBrowser.chromium != nil, "chromium is not installed"))
struct StatusPageLiveBrowserTests {
    /// What the browser asked for: the path, and `Sec-Fetch-Mode` (`navigate` for a page load or reload).
    final class Requests: Sendable {
        let seen = Mutex<[(path: String, mode: String)]>([])
        func add(_ request: HTTPRequest) {
            seen.withLock { $0.append((request.path, request.headers["Sec-Fetch-Mode"] ?? "")) }
        }
        func count(_ path: String, navigate: Bool) -> Int {
            seen.withLock { $0.count { $0.path == path && ($0.mode == "navigate") == navigate } }
        }
    }

    @Test func thePageFollowsTheWebSocketAndShowsANewEventWithoutAReload() async throws {
        let directory = TemporaryDirectory("chainbot-page-live")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        try store.recordStatus(
            ResourceStatus(kind: "ConfigFile", name: "motd", sync: .synced, health: .healthy, updatedAt: .now()))
        try store.recordEvent(
            Event(
                type: .normal, reason: .applied, regardingKind: "ConfigFile", regardingName: "motd", message: "created"),
            outboxPayload: nil)
        let endpoint = AgentEndpoint(
            store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: nil)
        let requests = Requests()
        // In front of the endpoint: notes each request, and records the new event as the socket is asked for,
        // after the page was made, so that only the socket can bring it.
        let server = try HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            requests.add(request)
            if AgentEndpoint.webSocketPaths.contains(request.path), requests.count(request.path, navigate: false) == 1 {
                _ = try? store.recordEvent(
                    Event(
                        type: .warning, reason: .driftDetected, regardingKind: "ConfigFile", regardingName: "motd",
                        message: "live <i>over the socket</i>"),
                    outboxPayload: nil)
            }
            return await endpoint.handle(request)
        }
        let dom = try await StatusPageBrowser.dom(server.baseURL + "/", extra: ["--virtual-time-budget=30000"])
        await server.stop()

        #expect(dom.contains(#"<html lang="en" data-live="websocket">"#), "\(dom.prefix(300))")
        #expect(dom.contains("live &lt;i&gt;over the socket&lt;/i&gt;"), "the new event is in the DOM")
        #expect(!dom.contains("<i>over the socket</i>"))
        #expect(dom.contains(#"data-updated=""#), "swapped in by the script")
        #expect(requests.count("/", navigate: true) == 1, "one page load, no reload")
        #expect(requests.count("/", navigate: false) >= 1, "the script fetched the page again")
        #expect(requests.count("/ws", navigate: false) >= 1)
    }
}
