import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders
import ChainbotTestSupport
import Synchronization
import Testing

/// A registry on loopback that answers with recorded replies (fixtures/alexos/), verbatim.
struct RecordedRegistry {
    /// The requests received, as `METHOD /path`.
    final class Log: Sendable {
        private let state = Mutex<[String]>([])

        func append(_ line: String) { state.withLock { $0.append(line) } }

        var lines: [String] { state.withLock { $0 } }
    }

    let server: HTTPServer
    let log = Log()

    /// Answers `GET path` with the fixture file at `replies[path]` and 200; a path mapped to nil answers
    /// 500; a registration 200; any other request 404.
    init(_ replies: [String: String?]) throws {
        var bodies: [String: [UInt8]?] = [:]
        for (path, file) in replies {
            guard let file else {
                bodies[path] = .some(nil)
                continue
            }
            let bytes: [UInt8] = try #require(
                Fixtures.read(Fixtures.path("fixtures/alexos/" + file)), "fixtures/alexos/\(file)")
            bodies[path] = .some(bytes)
        }
        let table = bodies
        let log = log
        server = try HTTPServer { request in
            log.append("\(request.method) \(request.path)")
            // A registration is taken (FastAPI's shape of an answer) and changes nothing recorded.
            if request.method == .post, request.path == "/api/agents/register" {
                return .json(.object([("status", .string("registered"))]))
            }
            guard request.method == .get, let body = table[request.path] else { return .text("Not Found", status: 404) }
            guard let body else { return .text("Internal Server Error", status: 500) }
            return HTTPResponse(headers: ["Content-Type": "application/json"], body: body)
        }
    }

    var endpoints: AlexOSEndpoints { get throws { try AlexOSEndpoints(baseURL: server.baseURL) } }
}

@Suite("Agents against registry replies the project did not write")
struct RegistryReplyTests {
    static let here = SourceLocation(file: "agents.yaml", line: 1, column: 1)

    /// ChainBot as the Pi's manifests want it: the same as the recorded registration, but version 0.4.0.
    static func chainbot(version: String) -> Resource {
        Resource(
            metadata: Metadata(name: "chainbot"),
            spec: .agent(
                AgentSpec(
                    agentID: "chainbot", role: "orchestrator", version: version, capabilities: ["chat", "monitoring"],
                    uiFeatures: ["dashboard"], endpoints: ["/api/chat", "/health"], port: 9000,
                    healthEndpoint: "/health")),
            location: here, nameLocation: here)
    }

    static func prepare(_ desired: [Resource], endpoints: AlexOSEndpoints?, world: AlexOSWorld) async throws
        -> PreparedRun
    {
        let reconciler = Reconciler(
            providers: [world.provider(endpoints)], store: try world.openStore(), now: world.clock.now)
        return try await reconciler.prepare(desired, prune: false, force: false)
    }

    static func statuses(_ prepared: PreparedRun) -> [ResourceStatus] {
        StatusBuilder(generation: "g1", now: Timestamp(millisecondsSinceEpoch: 0), previous: [])
            .build(prepared, report: nil).statuses
    }

    @Test func aRegistryListingTheRegistrationPayloadsKeysShowsTheVersionDrift() async throws {
        let registry = try RecordedRegistry(["/api/agents/canon": "canon-registration-keys.json"])
        defer { Task { await registry.server.stop() } }
        try await AlexOSWorld.run { world in
            let drifted = try await Self.prepare(
                [Self.chainbot(version: "0.4.0")], endpoints: try registry.endpoints, world: world)
            #expect(drifted.failures.isEmpty)
            let plan = try #require(drifted.plan.resources.first)
            #expect(plan.changes.map { "\($0.facet) \($0.from) → \($0.to)" } == ["version 0.3.0 → 0.4.0"])
            #expect(plan.unobserved.isEmpty)
            #expect(drifted.plan.steps.map(\.action.description).count == 1)
            #expect(Self.statuses(drifted).map(\.sync) == [.outOfSync])

            // The same registration, wanted as it is: every owned field was read, so Synced means something.
            let same = try await Self.prepare(
                [Self.chainbot(version: "0.3.0")], endpoints: try registry.endpoints, world: world)
            #expect(same.plan.isEmpty)
            #expect(Self.statuses(same).map(\.sync) == [.synced])
        }
    }

    @Test func anAgentWithoutAHealthEndpointIsUnknownWhenTheRegistryReportsNoStatus() async throws {
        let registry = try RecordedRegistry(["/api/agents/canon": "canon-registration-keys.json"])
        defer { Task { await registry.server.stop() } }
        try await AlexOSWorld.run { world in
            var chainbot = Self.chainbot(version: "0.3.0")
            if case .agent(var spec) = chainbot.spec {
                spec.healthEndpoint = nil
                chainbot.spec = .agent(spec)
            }
            let prepared = try await Self.prepare([chainbot], endpoints: try registry.endpoints, world: world)
            let plan = try #require(prepared.plan.resources.first)
            #expect(plan.health == .unknown)
            #expect(
                plan.healthReason
                    == "registered, but the registry reports no status and there is no healthEndpoint to probe")
        }
    }

    @Test func aListingWithoutTheVersionLeavesTheAgentUnknownWithTheReasonAndRegistersNothing() async throws {
        let registry = try RecordedRegistry([
            "/api/agents/canon": nil, "/api/chainbot/agents/all": "agents-all-gui.json",
        ])
        defer { Task { await registry.server.stop() } }
        try await AlexOSWorld.run { world in
            let prepared = try await Self.prepare(
                [Self.chainbot(version: "0.4.0")], endpoints: try registry.endpoints, world: world)
            let plan = try #require(prepared.plan.resources.first)
            #expect(plan.changes.isEmpty)
            let listing = "GET \(registry.server.baseURL)/api/chainbot/agents/all"
            #expect(
                plan.unobserved["version"] == "\(listing) lists agent 'chainbot' without 'version' or 'agent_version'")
            #expect(
                Set(plan.unobserved.keys) == ["version", "uiFeatures", "endpoints", "role", "port", "healthEndpoint"])
            #expect(prepared.plan.steps.isEmpty)

            let status = try #require(Self.statuses(prepared).first)
            #expect(status.sync == .unknown)
            let synced = try #require(status.conditions.first { $0.type == "Synced" })
            #expect(synced.reason == "CannotObserve")
            #expect(synced.message.contains("cannot observe version: \(listing) lists agent 'chainbot' without"))

            let report = HealthReport(statuses: [status])
            #expect(report.statusID == "degraded")
            #expect(report.unknown == 1 && report.synced == 0)
            #expect(
                report.reason.contains("unknown: Agent/chainbot (Agent/chainbot: cannot observe endpoints: \(listing)"))
        }
        #expect(!registry.log.lines.isEmpty && registry.log.lines.allSatisfy { $0.hasPrefix("GET ") })
    }

    @Test func diffSaysWhatCouldNotBeComparedInTextAndJSON() async throws {
        let registry = try RecordedRegistry([
            "/api/agents/canon": nil, "/api/chainbot/agents/all": "agents-all-gui.json",
        ])
        defer { Task { await registry.server.stop() } }
        let work = TemporaryDirectory("chainbot-unobserved")
        let manifests = work.write(
            "agents.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: Agent
            metadata: {name: chainbot}
            spec: {version: "0.4.0", capabilities: [chat, monitoring]}
            """)
        let common = ["-f", manifests, "--state", work.file("state.db")]
        let environment = ["CHAINBOT_ALEXOS_URL": registry.server.baseURL, "NO_COLOR": "1"]
        let text = await CLIHarness.run(["diff"] + common, environment: environment)
        #expect(text.stdout.contains("? Agent/chainbot could not be compared in full (sync Unknown)"), "\(text.stdout)")
        #expect(
            text.stdout.contains("    not compared: version: GET \(registry.server.baseURL)/api/chainbot/agents/all"))
        #expect(text.stdout.contains("1 not compared in full"))
        let json = await CLIHarness.run(["diff", "-o", "json"] + common, environment: environment)
        #expect(
            json.stdout.contains("\"version\": \"GET \(registry.server.baseURL)/api/chainbot/agents/all"),
            "\(json.stdout)")
    }

    @Test func anAppliedRegistrationWhoseFieldsTheRegistryDoesNotListIsUnknownNotSynced() async throws {
        let registry = try RecordedRegistry([
            "/api/agents/canon": nil, "/api/chainbot/agents/all": "agents-all-gui.json",
        ])
        defer { Task { await registry.server.stop() } }
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let reconciler = Reconciler(
                providers: [world.provider(try registry.endpoints)], store: store, now: world.clock.now)
            var chainbot = Self.chainbot(version: "0.4.0")
            if case .agent(var spec) = chainbot.spec {
                spec.capabilities.append("search")
                chainbot.spec = .agent(spec)
            }
            let prepared = try await reconciler.prepare([chainbot], prune: false, force: false)
            #expect(prepared.plan.resources.first?.changes.map(\.facet) == ["capabilities"])
            let report = try await reconciler.apply(prepared, generation: "g1", gitCommit: nil)
            #expect(report.converged)
            let status = try #require(
                StatusBuilder(generation: "g1", now: world.clock.now(), previous: []).build(prepared, report: report)
                    .statuses.first)
            #expect(status.sync == .unknown)
            let synced = try #require(status.conditions.first { $0.type == "Synced" })
            #expect(synced.reason == "CannotObserve")
            #expect(synced.message.hasPrefix("changed: capabilities; cannot observe endpoints: GET "))
        }
        #expect(registry.log.lines.contains("POST /api/agents/register"))
    }

    @Test func withoutAnALEXOSTheHealthReportCountsUnknownAgentsAsNotSyncedOrHealthy() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let reconciler = Reconciler(providers: [world.provider(nil)], store: store, now: world.clock.now)
            let desired = ["alpha", "beta", "gamma"].map { Agents.agent($0) }
            let prepared = try await reconciler.prepare(desired, prune: false, force: false)
            let report = try await reconciler.apply(prepared, generation: "g1", gitCommit: nil)
            StatusBuilder(generation: "g1", now: world.clock.now(), previous: [])
                .build(prepared, report: report).save(to: store, outboxPayload: nil)
            let statuses = try store.allStatus()
            #expect(statuses.map(\.sync) == [.unknown, .unknown, .unknown])

            let health = HealthReport(statuses: statuses)
            #expect(health.statusID == "degraded")
            #expect(health.synced == 0 && health.unknown == 3)
            #expect(
                health.reason
                    == "unknown: Agent/alpha, Agent/beta, Agent/gamma (Agent/alpha: cannot observe capabilities, "
                    + "endpoints, registered, role, uiFeatures, version: " + AgentProvider.notConfigured + ")")
            #expect(health.problems.map(\.resource) == ["Agent/alpha", "Agent/beta", "Agent/gamma"])
        }
    }
}
