import ChainbotAlexOSSimulator
import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@Suite("chainbot diff, apply and events with an ALEX OS")
struct SecretAndCLITests {
    static let token = "tok-3f9a71c2e8d54b60-SECRET"

    static func manifest(secretFile: String, version: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: Agent
        metadata:
          name: alpha
        spec:
          version: "\(version)"
          capabilities: [chat]
          token:
            secretRef:
              file: \(secretFile)
              key: ALEXOS_TOKEN
        """
    }

    @Test func aRegistryTokenIsSentButNeverShownInDiffEventsOrTheStateFile() async throws {
        try await AlexOSWorld.run { world in
            let secret = world.directory.write("secrets.env", "OTHER=1\nALEXOS_TOKEN=\(Self.token)\n")
            let manifests = world.directory.write(
                "manifests/agents.yaml", Self.manifest(secretFile: secret, version: "1.0.0"))
            let state = world.directory.file("state.db")
            let common = ["-f", manifests, "--state", state]
            let environment = ["CHAINBOT_ALEXOS_URL": world.endpoints.baseURL, "NO_COLOR": "1"]

            let diff = await CLIHarness.run(["diff"] + common, environment: environment)
            #expect(diff.status == 1)
            #expect(diff.stdout.contains("+ Agent/alpha will be created"))
            let apply = await CLIHarness.run(["apply"] + common, environment: environment)
            #expect(apply.status == 0, "\(apply.stderr)")
            // The Applied event and the run's health report.
            #expect(apply.stderr.contains("events: 2 delivered to ALEX OS"), "\(apply.stderr)")
            world.directory.write("manifests/agents.yaml", Self.manifest(secretFile: secret, version: "1.1.0"))
            let changed = await CLIHarness.run(["diff", "-o", "json"] + common, environment: environment)
            #expect(changed.status == 1)
            let reapply = await CLIHarness.run(["apply"] + common, environment: environment)
            #expect(reapply.status == 0)
            let events = await CLIHarness.run(["events", "--state", state, "-o", "json"])
            #expect(events.status == 0)
            // The manifests moved, not the registry: an update, not drift.
            #expect(events.stdout.contains("\"message\": \"updated: "), "\(events.stdout)")
            #expect(!events.stdout.contains("\"reason\": \"DriftDetected\""), "\(events.stdout)")
            let table = await CLIHarness.run(["events", "--since", "1h", "--state", state])
            #expect(table.stdout.contains("Agent/alpha"))

            // The registry got the token, in the Authorization header only.
            let posts = await world.simulator.requests.filter { $0.path == "/api/agents/register" }
            #expect(posts.count == 2)
            #expect(posts.allSatisfy { !$0.body.contains(Self.token) })
            for output in [diff, apply, changed, reapply, events, table] {
                #expect(!output.stdout.contains(Self.token) && !output.stderr.contains(Self.token))
            }
            let received = await world.simulator.events.map { $0.body.serialized() }.joined()
            #expect(!received.contains(Self.token))
            for file in [state, state + "-wal", state + "-shm"] {
                let bytes = Fixtures.read(file) ?? []
                #expect(!Self.contains(bytes, Array(Self.token.utf8)), "\(file) holds the token")
            }
        }
    }

    @Test func theAgentProviderSendsTheTokenAsABearerHeader() async throws {
        try await AlexOSWorld.run { world in
            let secret = world.directory.write("token", Self.token + "\n")
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha", token: SecretRef(file: secret))], store: store)
            let post = world.transport.requests.first { $0.method == .post }
            #expect(post?.headers["Authorization"] == "Bearer " + Self.token)
            #expect(!(post?.bodyText.contains(Self.token) ?? true))
        }
    }

    @Test func eventsWithoutAStateFileSaysSo() async {
        let directory = TemporaryDirectory()
        let run = await CLIHarness.run(["events", "--state", directory.file("none.db")])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("chainbot events: no state file at \(directory.file("none.db"))"))
        let bad = await CLIHarness.run(["events", "--since", "yesterday", "--state", directory.file("none.db")])
        #expect(bad.status == 64)
    }

    @Test func anInvalidALEXOSURLIsAUsageError() async {
        let run = await CLIHarness.run(["diff", "--alexos-url", "https://alexos.local", "-f", "/nonexistent"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("https is not supported"))
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

@Suite("ALEX OS paths are configurable per call")
struct AlexOSPathTests {
    @Test func aChangedPathIsTheOneCalledAndNamedInErrors() async throws {
        try await AlexOSWorld.run { world in
            let manifests = world.directory.write(
                "manifests/agents.yaml",
                """
                apiVersion: chainbot.dev/v1
                kind: Agent
                metadata: {name: alpha}
                spec: {version: "1.0.0"}
                """)
            let common = ["-f", manifests, "--state", world.directory.file("state.db")]
            let environment = ["CHAINBOT_ALEXOS_URL": world.endpoints.baseURL, "NO_COLOR": "1"]
            let diff = await CLIHarness.run(
                ["diff", "--alexos-path", "canon=/v2/canon", "--alexos-path", "agents=/v2/all"] + common,
                environment: environment)
            #expect(
                diff.stdout.contains("/v2/canon") || diff.stderr.contains("/v2/canon"), "\(diff.stdout)\(diff.stderr)")
            let paths = await world.simulator.requests.map(\.path)
            #expect(!paths.contains("/api/agents/canon"), "the default path is not used: \(paths)")
            let bad = await CLIHarness.run(
                ["diff", "--alexos-path", "webhook=/hooks"] + common, environment: environment)
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("needs {event_type}"))
        }
    }
}
