import ChainbotCore
import Testing

@testable import ChainbotCLI

/// The status page's summary from the status JSON and the agent's facts: the headline agrees with the
/// agent-level conditions and warnings it lists, and the filters list only what they ask for.
@Suite struct StatusPageSummaryTests {
    static func resource(_ kind: String, _ name: String, sync: String = "Synced", health: String = "Healthy")
        -> JSONValue
    {
        .object([
            ("kind", .string(kind)), ("name", .string(name)), ("sync", .string(sync)), ("health", .string(health)),
            ("suspended", .bool(false)), ("conditions", .array([])),
        ])
    }

    static func status(
        agent: [(String, JSONValue)] = [], resources: [JSONValue] = [], events: [JSONValue] = []
    ) -> JSONValue {
        let outOfSync = resources.count { $0["sync"]?.string == "OutOfSync" }
        let degraded = resources.count { ["Degraded", "Missing"].contains($0["health"]?.string ?? "") }
        return .object([
            ("agent", .object(agent)),
            (
                "counts",
                .object([
                    ("total", .int(resources.count)), ("outOfSync", .int(outOfSync)), ("degraded", .int(degraded)),
                ])
            ),
            ("resources", .array(resources)), ("events", .array(events)),
        ])
    }

    static func event(_ type: String, _ reason: String, _ regarding: String, _ message: String) -> JSONValue {
        .object([
            ("id", .int(1)), ("type", .string(type)), ("reason", .string(reason)), ("regarding", .string(regarding)),
            ("message", .string(message)), ("count", .int(2)), ("firstSeen", .string("2026-12-01T10:00:00Z")),
            ("lastSeen", .string("2026-12-01T10:05:00Z")),
        ])
    }

    @Test func theSummaryNeedsAttentionWhileGitWarningsAreListedThoughTheGitSourceRecovered() {
        // A remote failed and another served: agent.gitProblem is clear, the warnings are on the page.
        let html = StatusPage.html(
            Self.status(
                resources: [Self.resource("ConfigFile", "motd")],
                events: [
                    Self.event("Warning", "GitRemoteFailed", "Manifests//srv/fleet", "origin: connection refused"),
                    Self.event("Warning", "GitSyncFailed", "Manifests//srv/fleet", "fetch failed"),
                ]))
        #expect(html.contains("<title>chainbot — Needs attention</title>"))
        #expect(!html.contains("All in sync"))
        #expect(html.contains("<h2>Agent warnings in the last hour</h2>"))
        #expect(html.contains("GitRemoteFailed ×2 (last 2026-12-01T10:05:00Z), GitSyncFailed ×2"))
    }

    @Test func aManifestInvalidWarningKeepsTheSummaryFromSayingAllInSync() {
        let html = StatusPage.html(
            Self.status(events: [Self.event("Warning", "ManifestInvalid", "Manifests/m", "m/a.yaml:1:1: error")]))
        #expect(html.contains("Needs attention"))
        #expect(!html.contains("All in sync"))
    }

    @Test func resourceWarningsAndNormalEventsLeaveAHealthyAgentInSync() {
        let html = StatusPage.html(
            Self.status(
                resources: [Self.resource("ConfigFile", "motd")],
                events: [
                    Self.event("Warning", "ApplyFailed", "ConfigFile/motd", "disk full"),
                    Self.event("Normal", "Applied", "ConfigFile/motd", "content"),
                ]))
        #expect(html.contains("<title>chainbot — All in sync</title>"))
        #expect(!html.contains("Agent warnings"))
    }

    @Test func anUnreachableAlexOSAndAnOldBacklogAreAgentConditions() {
        var unreachable = StatusPage.Extras()
        unreachable.facts.outboxBacklog = 3
        unreachable.facts.outboxAttempts = 4
        unreachable.facts.outboxError = "connect to 127.0.0.1:8000: <refused>"
        let down = StatusPage.html(Self.status(), unreachable)
        #expect(down.contains(#"<section class="condition failing"><h2>ALEX OS unreachable</h2>"#))
        #expect(down.contains("3 events waiting in the outbox; delivery failed 4 times"))
        #expect(down.contains("connect to 127.0.0.1:8000: &lt;refused&gt;"))
        #expect(down.contains("Needs attention"))

        var backlog = StatusPage.Extras()
        backlog.facts.outboxBacklog = 1
        backlog.facts.outboxSince = Timestamp.now().advanced(by: .seconds(-600))
        let slow = StatusPage.html(Self.status(), backlog)
        #expect(slow.contains("<h2>Outbox backlog</h2>"))
        #expect(slow.contains("1 event waiting in the outbox since"))

        var fresh = StatusPage.Extras()
        fresh.facts.outboxBacklog = 1
        fresh.facts.outboxSince = Timestamp.now()
        #expect(StatusPage.html(Self.status(), fresh).contains("All in sync"), "an event on its way is no backlog")
    }

    @Test func aPinAndSuspendedResourcesAreShownWithoutNeedingAttention() {
        var extras = StatusPage.Extras()
        extras.facts.suspensions = [
            Suspension(kind: "Service", name: "web", until: Timestamp(millisecondsSinceEpoch: 0), reason: "")
        ]
        let pin: JSONValue = .object([
            ("revision", .int(12)), ("reason", .string("bad <deploy>")), ("since", .string("2026-12-01T10:00:00Z")),
        ])
        let html = StatusPage.html(Self.status(agent: [("pin", pin)]), extras)
        #expect(html.contains(#"<section class="condition info"><h2>Pinned to revision 12</h2>"#))
        #expect(html.contains("since 2026-12-01T10:00:00Z: bad &lt;deploy&gt;; chainbot unpin follows them again."))
        #expect(html.contains("<h2>1 resource suspended</h2><p>Service/web until 1970-01-01T00:00:00Z"))
        #expect(html.contains("All in sync"))
    }

    @Test func theFiltersListOnlyTheResourcesTheQueryAsksFor() {
        let status = Self.status(resources: [
            Self.resource("ConfigFile", "motd", sync: "OutOfSync"),
            Self.resource("Service", "web", health: "Degraded"),
            Self.resource("Service", "api"),
        ])
        func rows(_ query: String?) -> [String] {
            var extras = StatusPage.Extras()
            extras.filter = StatusPageFilter(query: query)
            return StatusPage.html(status, extras).split(separator: "\n").compactMap { line in
                guard line.hasPrefix("<tr><td>") else { return nil }
                return line.split(separator: "<td>").dropFirst().prefix(2).map { $0.prefix { $0 != "<" } }
                    .joined(separator: "/")
            }
        }
        #expect(rows(nil) == ["ConfigFile/motd", "Service/web", "Service/api"])
        #expect(rows("show=outofsync") == ["ConfigFile/motd"])
        #expect(rows("show=degraded") == ["Service/web"])
        #expect(rows("kind=service") == ["Service/web", "Service/api"])
        #expect(rows("show=degraded&kind=ConfigFile") == [])
        #expect(rows("show=%3Cscript%3E&kind=Nope") == ["ConfigFile/motd", "Service/web", "Service/api"])
        var extras = StatusPage.Extras()
        extras.filter = StatusPageFilter(query: "show=degraded&kind=Service")
        let html = StatusPage.html(status, extras)
        #expect(
            html.contains(#"<a href="?show=degraded&amp;kind=Service" aria-current="true">Degraded or missing (1)</a>"#)
        )
        #expect(html.contains(#"<input type="hidden" name="show" value="degraded">"#))
        #expect(html.contains(#"<option value="Service" selected>Service</option>"#))
    }

    @Test func eachResourceLinksToItsDetailViewWithItsNameEncoded() {
        let html = StatusPage.html(Self.status(resources: [Self.resource("ConfigFile", "a\"b/<c>")]))
        #expect(html.contains(#"<a href="resources/ConfigFile/a%22b%2F%3Cc%3E">details</a>"#))
        #expect(html.contains("<td>a&quot;b/&lt;c&gt;</td>"))
    }

    @Test func theSummaryFollowsTheWebSocketAndPollsOnlyWithoutScripts() {
        var extras = StatusPage.Extras()
        extras.since = 41
        let html = StatusPage.html(Self.status(), extras)
        #expect(html.contains(#"<noscript><meta http-equiv="refresh" content="10"></noscript>"#))
        #expect(html.contains(#"<body data-root="" data-since="41">"#))
        #expect(html.contains(#"new WebSocket(url.href, ["chainbot"])"#))
        #expect(!html.contains("EventSource"))
        #expect(!html.contains("http://") && !html.contains("https://"), "no external assets")
    }
}
