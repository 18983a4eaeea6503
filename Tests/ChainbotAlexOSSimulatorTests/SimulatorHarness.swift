import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotHTTP

/// A simulator on an ephemeral loopback port and a client with short timeouts to talk to it.
struct SimulatorHarness {
    let server: AlexOSSimulatorServer
    let client: HTTPClient

    var simulator: AlexOSSimulator { server.simulator }

    /// Runs `body` against a fresh simulator, then stops it.
    static func run(
        options: AlexOSSimulator.Options = AlexOSSimulator.Options(), _ body: (SimulatorHarness) async throws -> Void
    ) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.readTimeout = .seconds(2)
        configuration.timeout = .seconds(5)
        let harness = SimulatorHarness(
            server: try AlexOSSimulatorServer(options: options), client: HTTPClient(configuration: configuration))
        do {
            try await body(harness)
        } catch {
            await harness.server.stop(grace: .milliseconds(100))
            throw error
        }
        await harness.server.stop(grace: .milliseconds(100))
    }

    func get(_ path: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(url: server.baseURL + path))
    }

    func post(_ path: String, _ json: JSONValue) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: .post, url: server.baseURL + path, json: json))
    }

    func delete(_ path: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: .delete, url: server.baseURL + path))
    }

    func register(_ name: String, version: String = "1.0.0") async throws -> HTTPResponse {
        try await post("/api/agents/register", SimulatorHarness.registration(name, version: version))
    }

    func fault(_ json: [(String, JSONValue)]) async throws {
        try await post("/_sim/faults", .object(json)).ensureSuccess()
    }

    /// A registration payload as ChainBot sends it.
    static func registration(_ name: String, version: String = "1.0.0") -> JSONValue {
        .object([
            ("agent_name", .string(name)), ("agent_version", .string(version)), ("role", .string("orchestrator")),
            ("capabilities", .array([.string("chat"), .string("monitoring")])), ("ui_features", .array([])),
            ("endpoints", .array([.string("/health")])), ("port", .int(9000)),
            ("health_endpoint", .string("/health")), ("event_bus_url", .string("ws://127.0.0.1:8000/ws/events")),
            ("webhook_url", .string("http://127.0.0.1:9000/webhooks")),
            ("registration_time", .string("2026-11-29T09:00:00")),
        ])
    }

    /// An event envelope with `key` as its idempotency key.
    static func event(_ type: String, key: String?) -> JSONValue {
        var data: [(String, JSONValue)] = [
            ("resource", .string("Service/chainbot")), ("generation", .string("abc123")),
            ("message", .string("drift")),
        ]
        if let key { data.insert(("idempotency_key", .string(key)), at: 0) }
        return .object([
            ("event_type", .string(type)), ("timestamp", .string("2026-11-29T09:00:00Z")),
            ("source", .string("chainbot")), ("data", .object(data)), ("severity", .string("warning")),
            ("requires_attention", .bool(false)),
        ])
    }
}
