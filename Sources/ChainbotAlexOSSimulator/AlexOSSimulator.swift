import ChainbotCore
import ChainbotHTTP

/// An in-memory ALEX OS implementing chainbot's contract (DESIGN.md §7), with fault injection.
///
/// `handle` is an `HTTPServer` handler. Contract routes live under `/api/`; the control API under
/// `/_sim/` injects faults and shows what was received (see `contrib/alexos-sim/README.md`).
public actor AlexOSSimulator {
    public struct Options: Sendable, Hashable {
        /// false: `DELETE /api/agents/{name}` answers 405, like a registry that cannot deregister.
        public var canDeregister = true
        /// The `.status` that `GET /api/status/health` reports (always with HTTP 200).
        public var healthStatus = "healthy"

        public init(canDeregister: Bool = true, healthStatus: String = "healthy") {
            self.canDeregister = canDeregister
            self.healthStatus = healthStatus
        }
    }

    let initialOptions: Options
    public internal(set) var options: Options
    public internal(set) var agents: [RegisteredAgent] = []
    public internal(set) var events: [ReceivedEvent] = []
    /// Events received again with an idempotency key already seen (not stored twice).
    public internal(set) var duplicateEvents = 0
    public internal(set) var requests: [RecordedRequest] = []
    public internal(set) var faults: [Fault] = []
    /// The event bus at `/ws/events` (its own faults, records and pushes: `AlexOSBus`).
    public nonisolated let bus = AlexOSBus()
    var nextAgentNumber = 1

    public init(options: Options = Options()) {
        initialOptions = options
        self.options = options
    }

    /// Adds a fault; faults are tried in the order they were added, the first that matches applies.
    public func inject(_ fault: Fault) { faults.append(fault) }

    public func clearFaults() { faults.removeAll() }

    /// Forgets agents, events, requests and faults, and restores the options given at start.
    public func reset() {
        options = initialOptions
        agents = []
        events = []
        duplicateEvents = 0
        requests = []
        faults = []
        nextAgentNumber = 1
        bus.reset()
    }

    /// Answers one request: control API, or a contract route with any matching fault applied.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = request.path
        if path.hasPrefix("/_sim/bus") { return bus.control(request) }
        if path.hasPrefix("/_sim/") { return control(request) }
        if path == "/ws/events" { return bus.upgrade(request) }
        let sequence = requests.count + 1
        let fault = takeFault(method: request.method, path: path)
        requests.append(
            RecordedRequest(
                sequence: sequence, method: request.method, path: path, query: request.query,
                body: request.bodyText, fault: fault?.mode, status: nil))
        let response: HTTPResponse
        switch fault?.mode {
        case .error500?:
            response = .text(HTTPStatus.reason(for: fault?.status ?? 500), status: fault?.status ?? 500)
        case .error500AfterCommit?:
            _ = route(request)
            response = .text(HTTPStatus.reason(for: fault?.status ?? 500), status: fault?.status ?? 500)
        case .delay?:
            try? await Task.sleep(for: fault?.delay ?? .zero)
            response = route(request)
        case .drop?:
            response = .dropConnection
        case .dropAfterCommit?:
            _ = route(request)
            response = .dropConnection
        case .down?:
            response = AlexOSSimulator.badGatewayPage
        case nil:
            response = route(request)
        }
        if case .bytes = response.body { requests[sequence - 1].status = response.status }
        return response
    }

    private func takeFault(method: HTTPMethod, path: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        let fault = faults[index]
        if let remaining = fault.remaining {
            faults[index].remaining = remaining - 1
            if remaining - 1 == 0 { faults.remove(at: index) }
        }
        return fault
    }

    /// The page nginx shows when what it proxies to is not running.
    static let badGatewayPage = HTTPResponse(
        status: 502, headers: ["Content-Type": "text/html"],
        body: Array(
            """
            <html>
            <head><title>502 Bad Gateway</title></head>
            <body>
            <center><h1>502 Bad Gateway</h1></center>
            <hr><center>nginx/1.22.1</center>
            </body>
            </html>

            """.utf8))
}
