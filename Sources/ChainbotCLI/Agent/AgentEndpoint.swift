import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import Glibc

/// The agent's local HTTP endpoint (default `127.0.0.1:9100`): `/healthz`, `/readyz`, `/metrics`
/// (Prometheus text), a JSON API of resources and events, a live event stream (Server-Sent Events, and a
/// WebSocket at `/ws`) and a read-only status page. Read-only; with a token every request but `/healthz`
/// needs `Authorization: Bearer TOKEN` (a WebSocket may carry it as `?token=` or a subprotocol instead).
final class AgentEndpoint: Sendable {
    let store: SQLiteStateStore
    let statePath: String
    let metrics: AgentMetrics
    let token: String?
    let started = Timestamp.now()
    /// How often a live event stream looks for new events.
    let eventPoll: Duration
    /// How often a WebSocket client's feed looks for new events when the state file's changes cannot be
    /// watched (then it is the feed's latency); with the watcher a change wakes the feed at once.
    let webSocketTick: Duration
    /// Moves when the state file changes, so idle WebSocket clients cost no query.
    let storeSignal: StoreChangeSignal
    /// The agent's last look at each resource, for the status page's detail view.
    let plans: StatusPagePlans

    init(
        store: SQLiteStateStore, statePath: String, metrics: AgentMetrics, token: String?,
        eventPoll: Duration = .seconds(1), webSocketTick: Duration = .milliseconds(100),
        plans: StatusPagePlans = StatusPagePlans()
    ) {
        self.store = store
        self.statePath = statePath
        self.metrics = metrics
        self.token = token
        self.eventPoll = eventPoll
        self.webSocketTick = webSocketTick
        self.plans = plans
        storeSignal = StoreChangeSignal(statePath: statePath)
    }

    /// Starts serving on `host:port`; the caller stops the server.
    func start(host: String, port: Int) throws(HTTPError) -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.maxConnections = 32
        // No one peer holds more than a quarter, one slot stays for the host's own health checks, and a
        // connection that has not sent its first request head within 3 s is closed: so a few slow clients
        // cannot starve /healthz before any token is checked.
        configuration.maxConnectionsPerPeer = 8
        configuration.loopbackReserve = 1
        configuration.firstHeadTimeout = .seconds(3)
        configuration.maxBodyBytes = 4096
        // A live event stream stays open; the idle limit is for keep-alive between requests only.
        return try HTTPServer(configuration: configuration) { [self] request in await self.handle(request) }
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.method == .get || request.method == .head else {
            return Self.response(405, "text/plain; charset=utf-8", "read-only: GET only\n")
        }
        let path = request.path
        if path == "/healthz" {
            return metrics.isResponsive(limit: .seconds(600))
                ? Self.response(200, "text/plain; charset=utf-8", "ok\n")
                : Self.response(503, "text/plain; charset=utf-8", "a pass has run for more than 10 minutes\n")
        }
        if let token {
            let given = request.headers["Authorization"] ?? ""
            let webSocketToken = Self.webSocketPaths.contains(path) && Self.webSocketToken(request, matches: token)
            guard Self.constantTimeEqual(given, "Bearer " + token) || webSocketToken else {
                var response = Self.response(401, "text/plain; charset=utf-8", "a bearer token is required\n")
                response.headers = ["Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": "Bearer"]
                return response
            }
        }
        switch path {
        case "/readyz":
            let problem = (try? store.meta(.agentManifestProblem)) ?? nil
            let synced = (try? store.meta(.agentLastSync)) ?? nil
            if synced == nil { return Self.response(503, "text/plain; charset=utf-8", "first pass not done\n") }
            if problem != nil { return Self.response(503, "text/plain; charset=utf-8", "manifests invalid\n") }
            return Self.response(200, "text/plain; charset=utf-8", "ready\n")
        case "/metrics":
            let page = AgentMetricsPage(metrics: metrics, store: store, statePath: statePath, started: started)
            return Self.response(200, "text/plain; version=0.0.4; charset=utf-8", await page.render())
        case "/api/v1/status":
            return json(Self.withConditions(statusJSON(), store: store))
        case "/api/v1/resources":
            let report = self.report
            return json(.array(report.statuses.map(report.json)))
        case "/api/v1/events":
            return json(.array(events(since: Self.since(request.query)).map(Self.eventJSON)))
        case "/api/v1/events/stream":
            return eventStream(request)
        case _ where Self.webSocketPaths.contains(path):
            return webSocket(request)
        default:
            if let page = statusPage(request) { return page }
            if path.hasPrefix("/api/v1/resources/") {
                let reference = String(path.dropFirst("/api/v1/resources/".count))
                let report = self.report
                guard
                    let status = report.statuses.first(where: { $0.reference.lowercased() == reference.lowercased() })
                else {
                    return Self.response(
                        404, "application/json", "{\"error\":\"no resource \(Self.escape(reference))\"}\n")
                }
                return json(report.json(status))
            }
            return Self.response(404, "text/plain; charset=utf-8", "not found: \(path)\n")
        }
    }

    private var report: StatusReport {
        (try? StatusReport(store: store, statePath: statePath))
            ?? StatusReport(empty: ())
    }

    func statusJSON() -> JSONValue {
        let report = self.report
        let statuses = report.statuses
        var agent = report.agentJSON
        if case .object(var members) = agent {
            members = members.map { $0.0 == "running" ? ("running", .bool(true)) : $0 }
            agent = .object(members)
        }
        return .object([
            ("agent", agent), ("counts", Self.countsJSON(statuses)), ("resources", .array(statuses.map(report.json))),
            (
                "events",
                .array(events(since: Timestamp.now().advanced(by: .seconds(-3600))).suffix(20).map(Self.eventJSON))
            ),
        ])
    }

    /// `status` with `conditions` last: the agent's own, as the status page shows them.
    static func withConditions(_ status: JSONValue, store: SQLiteStateStore) -> JSONValue {
        guard case .object(let members) = status else { return status }
        return .object(members + [("conditions", StatusPageConditions.json(status, store: store))])
    }

    private func events(since: Timestamp) -> [StoredEvent] {
        (try? store.events(since: since)) ?? []
    }

    /// `?since=300s` (a duration back from now, at most 365 days) or none (the last hour).
    static func since(_ query: String?) -> Timestamp {
        let now = Timestamp.now()
        guard let query else { return now.advanced(by: .seconds(-3600)) }
        for pair in query.split(separator: "&") where pair.hasPrefix("since=") {
            if let duration = DurationText.parse(String(pair.dropFirst(6))) {
                return now.advanced(by: .zero - min(duration, .seconds(365 * 86_400)))
            }
        }
        return now.advanced(by: .seconds(-3600))
    }

    private func json(_ value: JSONValue) -> HTTPResponse {
        Self.response(200, "application/json", value.serialized(pretty: true) + "\n")
    }

    static func response(_ status: Int, _ type: String, _ body: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": type, "Cache-Control": "no-store"], body: Array(body.utf8))
    }

    static func escape(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.map(Character.init))
    }

    /// Compares without an early exit, so the time taken does not tell how much of a token was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
