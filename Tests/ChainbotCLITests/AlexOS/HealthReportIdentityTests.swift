import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotTestSupport
import Testing

/// The health report says who reports and what it runs: chainbot on this host (never a `Host/chainbot`
/// resource the manifests do not have), and the generation in force, so ALEX OS shows which host runs
/// which commit.
@Suite struct HealthReportIdentityTests {
    /// The same one-Agent manifest the configuration-file suite applies.
    static let agent = ConfigFileSharedTests.agent

    @Test func theHealthReportCarriesTheGenerationAndRegardsChainbotOnTheHost() async throws {
        try await AlexOSWorld.run { world in
            let manifests = world.directory.write("manifests/agents.yaml", Self.agent)
            let state = world.directory.file("state.db")
            let apply = await CLIHarness.run(
                ["apply", "-f", manifests, "--state", state, "--host", "pi-kitchen-1", "-o", "json"],
                environment: ["CHAINBOT_ALEXOS_URL": world.endpoints.baseURL])
            #expect(apply.status == 0, "\(apply.stderr)")
            let applied = try JSONValue(parsing: apply.stdout)
            let generation = try #require(applied["plan"]?["generation"]?.string)

            let received = await world.simulator.events
            let body = try #require(received.first { $0.eventType == "health_report" }?.body)
            #expect(body["data"]?["generation"] == .string(generation))

            let events = await CLIHarness.run(["events", "--state", state, "-o", "json"])
            #expect(events.status == 0, "\(events.stderr)")
            #expect(events.stdout.contains("Chainbot/pi-kitchen-1"), "\(events.stdout)")
            #expect(!events.stdout.contains("Host/chainbot"), "\(events.stdout)")
        }
    }
}
