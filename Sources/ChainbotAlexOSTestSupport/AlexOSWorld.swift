import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotOS
import ChainbotProviders
import ChainbotStore
import ChainbotTestSupport
import Synchronization

/// A wall clock that only moves when a test moves it.
public final class TestClock: Sendable {
    private let current = Mutex(Timestamp(millisecondsSinceEpoch: 1_800_000_000_000))

    public init() {}

    @Sendable public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(by duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
}

/// Real HTTP through `HTTPClient`, with every request kept (headers included) for the test to read.
public final class RecordingTransport: HTTPTransport {
    public let client: HTTPClient
    private let sent = Mutex<[HTTPRequest]>([])

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.connectTimeout = .seconds(2)
        configuration.readTimeout = .seconds(2)
        configuration.timeout = .seconds(5)
        client = HTTPClient(configuration: configuration)
    }

    public var requests: [HTTPRequest] { sent.withLock { $0 } }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        sent.withLock { $0.append(request) }
        return try await client.send(request)
    }
}

/// An ALEX OS simulator on an ephemeral loopback port, a state file in a temporary directory, and the
/// engine wired to both as `chainbot apply` wires it.
public struct AlexOSWorld {
    public let server: AlexOSSimulatorServer
    public let directory: TemporaryDirectory
    public let clock = TestClock()
    public let transport = RecordingTransport()
    public let endpoints: AlexOSEndpoints

    public var simulator: AlexOSSimulator { server.simulator }
    public var statePath: String { directory.file("state/state.db") }

    /// Runs `body` against a fresh simulator, then stops it.
    public static func run(
        options: AlexOSSimulator.Options = AlexOSSimulator.Options(), _ body: (AlexOSWorld) async throws -> Void
    ) async throws {
        let server = try AlexOSSimulatorServer(options: options)
        let world = AlexOSWorld(
            server: server, directory: TemporaryDirectory("chainbot-alexos"),
            endpoints: try AlexOSEndpoints(baseURL: server.baseURL))
        do {
            try await body(world)
        } catch {
            await server.stop(grace: .milliseconds(100))
            throw error
        }
        await server.stop(grace: .milliseconds(100))
    }

    /// Opens (or re-opens, as a restarted chainbot does) the state file.
    public func openStore() throws -> SQLiteStateStore {
        try SQLiteStateStore.open(path: statePath, now: clock.now)
    }

    public func provider(_ endpoints: AlexOSEndpoints?, timeout: Duration = .seconds(3)) -> AgentProvider {
        AgentProvider(
            endpoints: endpoints, transport: transport, secrets: SecretReader(fileSystem: LocalFileSystem()),
            timeout: timeout, probeTimeout: .seconds(2), now: clock.now)
    }

    public func reconciler(
        _ store: SQLiteStateStore, endpoints: AlexOSEndpoints? = nil, timeout: Duration = .seconds(3)
    )
        -> Reconciler
    {
        Reconciler(
            providers: [provider(endpoints ?? self.endpoints, timeout: timeout)], store: store, now: clock.now,
            outboxPayload: { stored, key in EventEnvelope.render(stored, idempotencyKey: key) })
    }

    /// Plans and applies `desired` with a fresh look at the registry.
    @discardableResult
    public func apply(
        _ desired: [Resource], prune: Bool = false, store: SQLiteStateStore, endpoints: AlexOSEndpoints? = nil,
        timeout: Duration = .seconds(3)
    ) async throws -> ApplyReport {
        let reconciler = reconciler(store, endpoints: endpoints, timeout: timeout)
        let prepared = try await reconciler.prepare(desired, prune: prune, force: false)
        return try await reconciler.apply(prepared, generation: "g1", gitCommit: nil)
    }

    public func delivery(_ store: SQLiteStateStore, endpoints: AlexOSEndpoints? = nil) -> OutboxDelivery {
        OutboxDelivery(store: store, transport: transport, endpoints: endpoints ?? self.endpoints)
    }

    /// How many times the registry was asked to register `name`.
    public func registrationRequests(_ name: String) async -> Int {
        await simulator.requests.count {
            $0.method == .post && $0.path == "/api/agents/register" && $0.body.contains("\"agent_name\":\"\(name)\"")
        }
    }
}

/// Agent resources for tests.
public enum Agents {
    public static let here = SourceLocation(file: "agents.yaml", line: 1, column: 1)

    public static func agent(
        _ name: String, version: String = "1.0.0", capabilities: [String] = ["chat"], healthEndpoint: String? = nil,
        token: SecretRef? = nil
    ) -> Resource {
        Resource(
            metadata: Metadata(name: name),
            spec: .agent(
                AgentSpec(
                    agentID: name, role: "assistant", version: version, capabilities: capabilities,
                    healthEndpoint: healthEndpoint, token: token)),
            location: here, nameLocation: here)
    }
}
