import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI
@testable import ChainbotEngine

/// The status page's detail view and history, served over real loopback HTTP from a real state file: a
/// resource's conditions, its diff from the agent's last look, its steps and events; every text that
/// came from outside shown as text, never as markup.
@Suite struct StatusPageDetailTests {
    static let markup = #"x"><script>alert(1)</script>"#

    /// An endpoint over a fresh state file, with the plans the agent would have recorded.
    struct Endpoint {
        let directory = TemporaryDirectory("chainbot-page")
        let store: SQLiteStateStore
        let plans = StatusPagePlans()
        let server: HTTPServer

        init() throws {
            store = try SQLiteStateStore.open(path: directory.file("state.db"))
            server = try AgentEndpoint(
                store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: nil, plans: plans
            ).start(host: "127.0.0.1", port: 0)
        }

        func get(_ path: String) async throws -> HTTPResponse {
            try await HTTPClient().send(HTTPRequest(url: server.baseURL + path))
        }
    }

    /// A drifted ConfigFile named with markup, its condition, event, revision step and last look.
    static func recordDriftedFile(_ endpoint: Endpoint) throws {
        let now = Timestamp.now()
        let condition = Condition(
            type: .synced, status: false, reason: .driftWarned, message: "drift in content <b>warned</b>",
            lastTransitionTime: Timestamp(millisecondsSinceEpoch: 1_764_583_200_000))
        try endpoint.store.recordStatus(
            ResourceStatus(
                kind: "ConfigFile", name: markup, sync: .outOfSync, health: .healthy, conditions: [condition],
                observedGeneration: "sha256:abc", updatedAt: now))
        try endpoint.store.recordEvent(
            Event(
                type: .warning, reason: .driftDetected, regardingKind: "ConfigFile", regardingName: markup,
                message: "content <i>changed</i> by hand"),
            outboxPayload: nil)
        let revision = try endpoint.store.beginRevision(generation: "sha256:abc", gitCommit: nil)
        _ = try endpoint.store.addStep(
            RevisionStep(
                kind: "ConfigFile", name: markup, action: "write /etc/motd", outcome: .failed,
                error: "permission <denied>", startedAt: now, finishedAt: now),
            toRevision: revision.id)
        _ = try endpoint.store.finishRevision(revision.id, outcome: .failed, summaryJSON: nil)
        let id = ResourceID(.configFile, markup)
        let change = FieldChange(
            resource: id, facet: "content", from: .text("hello\n<old>\n"), to: .text("hello\n<new>\n"))
        let plan = Plan(resources: [ResourcePlan(id: id, action: .warn, changes: [change])], steps: [])
        endpoint.plans.record(
            ApplyReport(
                prepared: PreparedRun(plan: plan, failures: [], desired: [], applied: [:]), records: [],
                revision: nil, changed: [], unchanged: [], failed: [], pruned: []))
    }

    @Test func theDetailViewShowsConditionsTheDiffStepsAndEventsAsText() async throws {
        let endpoint = try Endpoint()
        try Self.recordDriftedFile(endpoint)
        let page = try await endpoint.get("/resources/configfile/" + URLPathSegment.encode(Self.markup))
        await endpoint.server.stop()

        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        let html = page.text
        #expect(!html.contains("<script>alert(1)</script>"), "the name is text")
        #expect(html.contains("<title>chainbot — ConfigFile/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"))
        #expect(html.contains("<td>drift in content &lt;b&gt;warned&lt;/b&gt;</td>"))
        #expect(html.contains("<td><time>2025-12-01T10:00:00Z</time></td>"), "the last transition")
        #expect(html.contains("reported, not corrected: drift policy warn."))
        #expect(html.contains(#"<span class="del">-&lt;old&gt;</span><span class="add">+&lt;new&gt;</span>"#))
        #expect(
            html.contains(
                #"write /etc/motd</td><td><span class="pill failed">failed</span> <span class="why">permission &lt;denied&gt;</span>"#
            ))
        #expect(html.contains("content &lt;i&gt;changed&lt;/i&gt; by hand"))
        #expect(!html.contains("<i>changed</i>") && !html.contains("<b>warned</b>") && !html.contains("<new>"))
        #expect(html.contains(#"<body data-root="../../""#), "the socket and links lead back to the root")
    }

    @Test func anUnknownResourceIsNotFoundWithALinkBack() async throws {
        let endpoint = try Endpoint()
        let missing = try await endpoint.get("/resources/Service/%3Cb%3Enope")
        let malformed = try await endpoint.get("/resources/Service")
        await endpoint.server.stop()

        #expect(missing.status == 404)
        #expect(missing.text.contains("No resource Service/%3Cb%3Enope is recorded."))
        #expect(malformed.status == 404)
    }

    @Test func theHistoryShowsEachRevisionWithItsSteps() async throws {
        let endpoint = try Endpoint()
        try Self.recordDriftedFile(endpoint)
        let history = try await endpoint.get("/history")
        let summary = try await endpoint.get("/?show=outofsync")
        await endpoint.server.stop()

        #expect(history.status == 200)
        #expect(
            history.text.contains(
                #"<details id="revision-1" open><summary><b>Revision 1</b> · <span class="pill failed">failed</span>"#))
        #expect(history.text.contains("1 step</summary>"))
        #expect(history.text.contains("permission &lt;denied&gt;"))
        #expect(summary.text.contains(#"<a href="history#revision-1">1</a>"#))
        #expect(summary.text.contains(#"<a href="?show=outofsync" aria-current="true">Out of sync (1)</a>"#))
        #expect(!summary.text.contains("<script>alert(1)</script>"))
    }
}
