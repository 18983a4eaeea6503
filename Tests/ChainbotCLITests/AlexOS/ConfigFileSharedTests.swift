import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotTestSupport
import Testing

/// `diff`, `apply`, `status`, `events` and `history` read the agent's configuration file (DESIGN §8), so
/// on a Pi they see the ALEX OS, manifests and state file the agent uses.
@Suite("the configuration file outside the agent")
struct ConfigFileSharedTests {
    static let agent = """
        apiVersion: chainbot.dev/v1
        kind: Agent
        metadata:
          name: alpha
        spec:
          version: "1.0.0"
          capabilities: [chat]
        """

    @Test func diffApplyAndStatusUseTheConfigurationFilesURLManifestsAndStateFile() async throws {
        try await AlexOSWorld.run { world in
            let manifests = world.directory.write("manifests/agents.yaml", Self.agent)
            let state = world.directory.file("from-config/state.db")
            let config = world.directory.write(
                "config.yaml",
                """
                filename: [\(manifests)]
                state: \(state)
                alexos-url: \(world.endpoints.baseURL)
                resync: 30s
                """)
            let environment = ["CHAINBOT_CONFIG": config, "NO_COLOR": "1"]

            let diff = await CLIHarness.run(["diff"], environment: environment)
            #expect(diff.status == 1, "\(diff.stderr)")
            #expect(diff.stdout.contains("+ Agent/alpha will be created"), "\(diff.stdout)")
            #expect(!diff.stdout.contains("no ALEX OS URL configured"))

            let apply = await CLIHarness.run(["apply"], environment: environment)
            #expect(apply.status == 0, "\(apply.stderr)")
            #expect(Fixtures.exists(state), "apply recorded the run in the configuration's state file")
            let registered = await world.simulator.requests.filter { $0.path == "/api/agents/register" }
            #expect(registered.count == 1)

            let status = await CLIHarness.run(["status"], environment: environment)
            // Exit 1 rather than 0 is fine (the agent's health endpoint is not probed here); 2 would mean
            // no state file was found.
            #expect(status.status != 2, "\(status.stderr)")
            #expect(status.stdout.contains("Agent/alpha"))
            let history = await CLIHarness.run(["history"], environment: environment)
            #expect(history.stdout.contains("succeeded"), "\(history.stdout)")
            let events = await CLIHarness.run(["events", "-o", "json"], environment: environment)
            #expect(events.stdout.contains("\"reason\": \"Applied\""), "\(events.stdout)")

            // The command line wins over the file.
            let other = world.directory.file("other/state.db")
            let explicit = await CLIHarness.run(["apply", "--state", other], environment: environment)
            #expect(explicit.status == 0, "\(explicit.stderr)")
            #expect(Fixtures.exists(other))
        }
    }

    @Test func theHealthReportNamesTheHostAndItsLabels() async throws {
        try await AlexOSWorld.run { world in
            let manifests = world.directory.write("manifests/agents.yaml", Self.agent)
            let apply = await CLIHarness.run(
                [
                    "apply", "-f", manifests, "--state", world.directory.file("state.db"), "--host", "pi-kitchen-1",
                    "--label", "room=kitchen", "--label", "ring=canary",
                ], environment: ["CHAINBOT_ALEXOS_URL": world.endpoints.baseURL])
            #expect(apply.status == 0, "\(apply.stderr)")
            let received = await world.simulator.events
            let body = try #require(received.first { $0.eventType == "health_report" }?.body)
            let data = try #require(body["data"])
            #expect(data["host"] == .string("pi-kitchen-1"))
            let labels = try #require(data["labels"])
            #expect(labels["room"] == .string("kitchen"))
            #expect(labels["ring"] == .string("canary"))
        }
    }

    @Test func aBrokenConfigurationFileIsAUsageErrorNamingIt() async throws {
        let directory = TemporaryDirectory()
        let config = directory.write("config.yaml", "stat: /tmp/x.db\n")
        let run = await CLIHarness.run(["diff"], environment: ["CHAINBOT_CONFIG": config])
        #expect(run.status == 64)
        #expect(run.stderr.contains("\(config):1:1: unknown key 'stat'; did you mean 'state'?"), "\(run.stderr)")
    }
}
