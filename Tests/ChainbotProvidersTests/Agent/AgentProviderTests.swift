import ChainbotAlexOSSimulator
import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders
import ChainbotTestSupport
import Synchronization
import Testing

@Suite("Agent provider against the ALEX OS simulator over loopback")
struct AgentProviderTests {
    @Test func registersThreeAgentsThenReRegistersTheChangedOneAndPrunesOne() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let three = ["alpha", "beta", "gamma"].map { Agents.agent($0) }
            let first = try await world.apply(three, store: store)
            #expect(first.converged)
            #expect(first.changed.map(\.name) == ["alpha", "beta", "gamma"])
            var agents = await world.simulator.agents
            #expect(agents.map(\.name) == ["alpha", "beta", "gamma"])
            #expect(agents.allSatisfy { $0.registrations == 1 })

            let again = try await world.reconciler(store).prepare(three, prune: false, force: false)
            #expect(again.plan.isEmpty)

            let changed = [Agents.agent("alpha"), Agents.agent("beta", version: "1.1.0"), Agents.agent("gamma")]
            let second = try await world.apply(changed, store: store)
            #expect(second.changed.map(\.name) == ["beta"])
            agents = await world.simulator.agents
            #expect(agents.map(\.registrations) == [1, 2, 1])
            #expect(await world.registrationRequests("alpha") == 1)

            let pruned = try await world.apply(Array(changed.prefix(2)), prune: true, store: store)
            #expect(pruned.pruned.map(\.name) == ["gamma"])
            agents = await world.simulator.agents
            #expect(agents.map(\.name) == ["alpha", "beta"])
            #expect(try store.allApplied().map(\.name) == ["alpha", "beta"])
        }
    }

    @Test func registryAnswering500AfterCommitCreatesNoDuplicateAndTheStepSucceeds() async throws {
        try await AlexOSWorld.run { world in
            await world.simulator.inject(
                Fault(.error500AfterCommit, pathPrefix: "/api/agents/register", method: .post, count: 1))
            let store = try world.openStore()
            let report = try await world.apply([Agents.agent("alpha")], store: store)
            #expect(report.converged)
            let agents = await world.simulator.agents
            #expect(agents.count == 1)
            #expect(agents.first?.registrations == 1)
            #expect(await world.registrationRequests("alpha") == 1)
            // The decision came from a fresh look at the registry, not from a second POST.
            let afterPost = world.transport.requests.drop { $0.method != .post }.dropFirst()
            #expect(afterPost.first?.url == world.endpoints.baseURL + "/api/agents/canon")
        }
    }

    @Test func aConnectionDroppedAfterTheRegistryCommittedCreatesNoDuplicate() async throws {
        try await AlexOSWorld.run { world in
            await world.simulator.inject(
                Fault(.dropAfterCommit, pathPrefix: "/api/agents/register", method: .post, count: 1))
            let store = try world.openStore()
            let report = try await world.apply([Agents.agent("alpha")], store: store)
            #expect(report.converged)
            #expect(await world.simulator.agents.map(\.registrations) == [1])
            #expect(await world.registrationRequests("alpha") == 1)
        }
    }

    @Test func aTimedOutRegistrationIsCheckedByObservingAndNotRetried() async throws {
        try await AlexOSWorld.run { world in
            await world.simulator.inject(
                // Ten times the client's timeout: a test starved of the pool for a second still times out first.
                Fault(.delay, pathPrefix: "/api/agents/register", method: .post, count: 1, delay: .seconds(5)))
            let store = try world.openStore()
            let first = try await world.apply([Agents.agent("alpha")], store: store, timeout: .milliseconds(500))
            guard case .failed(let error)? = first.records.first?.outcome else {
                Issue.record("expected a failed step")
                return
            }
            #expect(error.message.contains("POST \(world.endpoints.baseURL)/api/agents/register: timed out"))
            #expect(error.retryable)
            // The slow registration lands after chainbot gave up; the next apply finds it and does nothing.
            #expect(try await Poll.within(.seconds(60)) { await world.simulator.agents.map(\.registrations) == [1] })
            let second = try await world.apply([Agents.agent("alpha")], store: store)
            #expect(second.records.isEmpty)
            #expect(await world.simulator.agents.map(\.registrations) == [1])
            #expect(await world.registrationRequests("alpha") == 1)
        }
    }

    @Test func anUnreachableRegistryIsAnObserveFailureNamingTheURLAndStatus() async throws {
        try await AlexOSWorld.run { world in
            await world.simulator.inject(Fault(.down, pathPrefix: "/api"))
            let store = try world.openStore()
            let report = try await world.apply([Agents.agent("alpha")], store: store)
            let failure = try #require(report.prepared.failures.first)
            #expect(
                failure.error.message.hasPrefix(
                    "cannot read the ALEX OS agent registry: GET \(world.endpoints.baseURL)/api/chainbot/agents/all: HTTP 502 Bad Gateway"
                ))
            #expect(failure.error.detail.contains("/api/agents/canon: HTTP 502"))
            #expect(failure.error.retryable)
            let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
            #expect(events.map(\.event.reason) == ["ObserveFailed"])
            #expect(try store.pendingOutboxCount() == 1)
        }
    }

    @Test func registryAnswering500WithoutCommittingFailsTheStepWithoutRetrying() async throws {
        try await AlexOSWorld.run { world in
            await world.simulator.inject(Fault(.error500, pathPrefix: "/api/agents/register", method: .post))
            let store = try world.openStore()
            let report = try await world.apply([Agents.agent("alpha")], store: store)
            #expect(report.failed.map(\.name) == ["alpha"])
            guard case .failed(let error)? = report.records.first?.outcome else {
                Issue.record("expected a failed step")
                return
            }
            #expect(error.message.contains("POST \(world.endpoints.baseURL)/api/agents/register: HTTP 500"))
            #expect(error.message.contains("does not show agent 'alpha' as desired"))
            #expect(error.retryable)
            #expect(await world.registrationRequests("alpha") == 1)
            // Intent before action: the agent was recorded as chainbot's before its registration ran, so
            // a later prune would deregister whatever a half-committed write left behind.
            #expect(try store.allApplied().map { "\($0.name) \($0.createdByChainbot)" } == ["alpha true"])
        }
    }

    @Test func aRegistryThatCannotDeregisterIsAClearFailureAndTheAgentStaysInTheInventory() async throws {
        try await AlexOSWorld.run(options: AlexOSSimulator.Options(canDeregister: false)) { world in
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha"), Agents.agent("beta")], store: store)
            let report = try await world.apply([Agents.agent("alpha")], prune: true, store: store)
            guard case .failed(let error)? = report.records.first?.outcome else {
                Issue.record("expected a failed step")
                return
            }
            #expect(
                error.message
                    == "the ALEX OS registry cannot deregister agents (DELETE \(world.endpoints.baseURL)/api/agents/beta: "
                    + "HTTP 405); agent 'beta' stays registered: remove it in ALEX OS")
            #expect(!error.retryable)
            #expect(try store.allApplied().map(\.name) == ["alpha", "beta"])
        }
    }

    @Test func fallsBackToTheAgentListingWhenTheCanonIndexFails() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha")], store: store)
            await world.simulator.inject(Fault(.error500, pathPrefix: "/api/agents/canon"))
            let prepared = try await world.reconciler(store).prepare(
                [Agents.agent("alpha")], prune: false, force: false)
            #expect(prepared.failures.isEmpty)
            #expect(prepared.plan.isEmpty)
            let changed = try await world.reconciler(store).prepare(
                [Agents.agent("alpha", capabilities: ["chat", "search"])], prune: false, force: false)
            #expect(changed.plan.resources.first?.changes.map(\.facet) == ["capabilities"])
        }
    }

    @Test func healthReadsTheJSONStatusOfTheAgentsHealthEndpoint() async throws {
        let status = StatusBox()
        let agentServer = try HTTPServer { _ in .json(.object([("status", .string(status.value))])) }
        defer { Task { await agentServer.stop() } }
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let resource = Agents.agent("alpha", healthEndpoint: agentServer.baseURL + "/health")
            let missing = try await world.reconciler(store).prepare([resource], prune: false, force: false)
            #expect(missing.plan.resources.first?.health == .missing)
            try await world.apply([resource], store: store)
            status.value = "degraded"
            let degraded = try await world.reconciler(store).prepare([resource], prune: false, force: false)
            #expect(degraded.plan.resources.first?.health == .degraded)
            #expect(degraded.plan.resources.first?.healthReason?.contains("says 'degraded'") == true)
            status.value = "healthy"
            let healthy = try await world.reconciler(store).prepare([resource], prune: false, force: false)
            #expect(healthy.plan.resources.first?.health == .healthy)
        }
    }

    @Test func withoutAnALEXOSAPruneFailsWithTheReasonAndTheAgentIsNotForgotten() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha"), Agents.agent("beta")], store: store)
            let reconciler = Reconciler(providers: [world.provider(nil)], store: store, now: world.clock.now)
            let prepared = try await reconciler.prepare([Agents.agent("alpha")], prune: true, force: false)
            let report = try await reconciler.apply(prepared, generation: "g2", gitCommit: nil)
            guard case .failed(let error)? = report.records.first?.outcome else {
                Issue.record("expected a failed step")
                return
            }
            #expect(error.message == "cannot change the ALEX OS registry: " + AgentProvider.notConfigured)
            #expect(try store.allApplied().map(\.name) == ["alpha", "beta"])
            #expect(await world.simulator.agents.count == 2)
        }
    }

    @Test func withoutAnALEXOSAgentsAreUnknownWithAReasonAndNothingIsPlanned() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let reconciler = Reconciler(providers: [world.provider(nil)], store: store, now: world.clock.now)
            let prepared = try await reconciler.prepare([Agents.agent("alpha")], prune: false, force: false)
            #expect(prepared.failures.isEmpty)
            #expect(prepared.plan.isEmpty)
            #expect(prepared.plan.resources.first?.health == .unknown)
            #expect(prepared.plan.resources.first?.healthReason == AgentProvider.notConfigured)
            #expect(await world.simulator.requests.isEmpty)
        }
    }
}

/// The status a fake agent reports, changed by the test.
final class StatusBox: Sendable {
    private let state = Mutex("healthy")

    var value: String {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
