import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// The built agent inside a network namespace the test creates, with a resync of ten minutes: a hand-typed
/// `nft flush table inet chainbot` is seen through `nft monitor` and the table is loaded again at once.
@Suite(
    .enabled(if: NetworkPair.unavailable() == nil, "\(NetworkPair.unavailable() ?? "")"),
    .enabled(if: Fixtures.exists(ApplyKillTests.binary), "the chainbot binary is not built at .build/debug/chainbot"))
struct AgentHostWatchNftTests {
    static let manifests = """
        apiVersion: chainbot.dev/v1
        kind: Firewall
        metadata: {name: pi}
        spec:
          defaultInput: accept
          managementPorts: [5420]
        ---
        apiVersion: chainbot.dev/v1
        kind: FirewallRule
        metadata: {name: gui}
        spec:
          action: accept
          protocol: tcp
          ports: [8080]
          from: [10.0.0.0/8]
        """

    @Test func aHandFlushOfChainbotsTableIsHealedLongBeforeTheResync() async throws {
        let pair = try NetworkPair.create(FirewallInNamespaceTests.uniqueName("hw"))
        defer { pair.remove() }
        let work = TemporaryDirectory("chainbot-agent-nft")
        let manifest = work.write("m.yaml", Self.manifests)
        let log = work.file("agent.log")
        let agent = try DetachedProcess.launch(
            NetworkPair.script,
            [
                "exec", pair.name, "host", "/usr/bin/env", "CHAINBOT_RUNTIME_DIR=\(work.file("run"))", "NO_COLOR=1",
                ApplyKillTests.binary, "agent", "-f", manifest, "--state", work.file("state.db"), "--listen", "off",
                "--resync", "10m",
            ], logPath: log)
        defer { agent.stop() }
        func loaded() async throws -> Bool {
            try await pair.run(.host, ["nft", "list", "table", "inet", "chainbot"]).output.contains("dport 8080")
        }
        try #require(try await Poll.within(.seconds(60)) { try await loaded() }, "\(Fixtures.readText(log) ?? "")")

        let flushed = try await pair.run(.host, ["nft", "flush", "table", "inet", "chainbot"])
        try #require(flushed.succeeded, "\(flushed.errorOutput)")
        let start = ContinuousClock.now
        let healed = try await Poll.within(.seconds(20)) { try await loaded() }
        let elapsed = ContinuousClock.now - start
        print("AgentHostWatchNftTests: nft flush healed in \(healed ? "\(elapsed)" : "more than 20 s")")
        #expect(healed, "the table is still flushed after 20 s: \(Fixtures.readText(log) ?? "")")
        #expect(Fixtures.readText(log)?.contains("host changed: Firewall/pi, FirewallRule/gui") == true)
    }
}
