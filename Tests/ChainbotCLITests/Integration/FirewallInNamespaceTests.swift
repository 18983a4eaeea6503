import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// The nftables firewall end to end: the built `chainbot` runs inside a network namespace the test
/// creates, real `nft` loads the table, and real TCP from a second namespace across a veth pair shows
/// what gets through.
@Suite(
    .enabled(if: NetworkPair.unavailable() == nil, "\(NetworkPair.unavailable() ?? "")"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct FirewallInNamespaceTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    /// The confirm timeout of the tests that wait for the watchdog to revert, in seconds: it must outlast
    /// arming and loading on a loaded machine (the others use the default, 60 s).
    static let revertAfter = 15
    private static let counter = Atomic<Int>(0)

    /// `tag` (2 letters) made unique per process and call in netns.sh's 8 characters, so parallel test runs
    /// never share (or take down) one another's namespaces.
    static func uniqueName(_ tag: String) -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String((tag + String(getpid(), radix: 36) + String(count % 36, radix: 36)).suffix(8))
    }

    /// A default-drop firewall: management port 5420, port 8080 for the peer's network, and the Port
    /// `api` (9000) exposed to it.
    static func manifests(
        peerNetwork: String, managementPorts: String = "[5420]", confirmTimeout: String = "60s", extra: String = ""
    ) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: Firewall
        metadata: {name: pi}
        spec:
          defaultInput: drop
          managementPorts: \(managementPorts)
          confirmTimeout: \(confirmTimeout)
        ---
        apiVersion: chainbot.dev/v1
        kind: FirewallRule
        metadata: {name: gui}
        spec:
          action: accept
          protocol: tcp
          ports: [8080]
          from: [\(peerNetwork)]
        ---
        apiVersion: chainbot.dev/v1
        kind: Port
        metadata: {name: api}
        spec:
          port: 9000
          address: 0.0.0.0
          expose:
            from: [\(peerNetwork)]
        \(extra)
        """
    }

    struct Setup {
        let pair: NetworkPair
        let directory: TemporaryDirectory
        var manifests: String { directory.file("manifests") }
        var state: String { directory.file("state.db") }
        var peerNetwork: String {
            String(pair.peerAddress.split(separator: ".").prefix(3).joined(separator: ".")) + ".0/24"
        }

        func write(_ text: String) {
            directory.write("manifests/pi.yaml", text)
        }

        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            ["CHAINBOT_RUNTIME_DIR": directory.file("run"), "NO_COLOR": "1"].merging(extra) { $1 }
        }

        func chainbot(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> CommandResult {
            try await pair.run(
                .host, [FirewallInNamespaceTests.binary] + arguments + ["-f", manifests, "--state", state],
                environment: environment(extra))
        }

        func table() async throws -> String {
            try await pair.run(.host, ["nft", "list", "table", "inet", "chainbot"]).output
        }
    }

    func withSetup(_ tag: String, _ body: (Setup) async throws -> Void) async throws {
        let name = Self.uniqueName(tag)
        let pair = try NetworkPair.create(name)
        defer { pair.remove() }
        let directory = TemporaryDirectory()
        let setup = Setup(pair: pair, directory: directory)
        // Listeners on every port the tests probe; they live as long as the namespace.
        let listener = try DetachedProcess.launch(
            NetworkPair.script,
            [
                "exec", name, "host", "python3", Fixtures.path("contrib/testbed/tcp.py"), "listen", "5420", "8080",
                "9000",
                "7000",
            ], logPath: directory.file("listener.log"))
        defer { listener.terminate() }
        let ready = try await Poll.within(.seconds(120)) {
            Fixtures.readText(directory.file("listener.log"))?.contains("ready") == true
        }
        try #require(ready, "the listener did not start: \(Fixtures.readText(directory.file("listener.log")) ?? "")")
        try await body(setup)
    }

    @Test func convergesADefaultDropFirewallThatRealTrafficObeys() async throws {
        try await withSetup("cv") { setup in
            // Before: no firewall, everything connects.
            #expect(try await setup.pair.peerConnects(to: 7000))
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork))
            let applied = try await setup.chainbot(["apply"])
            #expect(applied.termination == .exited(0), "\(applied.output)\(applied.errorOutput)")
            #expect(try await setup.pair.peerConnects(to: 5420), "management port")
            #expect(try await setup.pair.peerConnects(to: 8080), "FirewallRule gui")
            #expect(try await setup.pair.peerConnects(to: 9000), "Port api expose")
            #expect(try await !setup.pair.peerConnects(to: 7000), "not allowed: dropped")
            // Converged: diff is clean and a second apply does nothing.
            let diff = try await setup.chainbot(["diff", "--kind", "FirewallRule"])
            #expect(diff.termination == .exited(0), "\(diff.output)")
            let again = try await setup.chainbot(["apply", "--kind", "Firewall"])
            #expect(again.output.contains("nothing to do"), "\(again.output)")
        }
    }

    @Test func aRuleAddedByHandIsReportedAndRemoved() async throws {
        try await withSetup("hd") { setup in
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork))
            #expect(try await setup.chainbot(["apply"]).succeeded)
            let added = try await setup.pair.run(
                .host, ["nft", "add", "rule", "inet", "chainbot", "input", "tcp", "dport", "7000", "accept"])
            #expect(added.succeeded, "\(added.errorOutput)")
            #expect(try await setup.pair.peerConnects(to: 7000))

            let diff = try await setup.chainbot(["diff"])
            #expect(diff.termination == .exited(1))
            #expect(diff.output.contains("~ Firewall/pi will be updated"), "\(diff.output)")
            #expect(diff.output.contains("-tcp dport 7000 accept  (added by hand)"), "\(diff.output)")

            let apply = try await setup.chainbot(["apply"])
            #expect(apply.succeeded, "\(apply.output)\(apply.errorOutput)")
            #expect(try await !setup.pair.peerConnects(to: 7000))
            #expect(!(try await setup.table()).contains("dport 7000"))
            #expect(try await setup.chainbot(["diff"]).termination == .exited(0))
        }
    }

    @Test func refusesToStopAcceptingAManagementPortWithoutForce() async throws {
        try await withSetup("mg") { setup in
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork))
            #expect(try await setup.chainbot(["apply"]).succeeded)
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork, managementPorts: "[5421]"))
            let refused = try await setup.chainbot(["apply"])
            #expect(refused.termination == .exited(2))
            #expect(
                (refused.output + refused.errorOutput).contains("stops accepting management port 5420"),
                "\(refused.output)\(refused.errorOutput)")
            #expect(try await setup.pair.peerConnects(to: 5420), "still reachable")

            let forced = try await setup.chainbot(["apply", "--force"])
            #expect(forced.succeeded, "\(forced.output)\(forced.errorOutput)")
            #expect(try await !setup.pair.peerConnects(to: 5420))
        }
    }

    @Test func killedBetweenLoadAndConfirmTheOldRulesComeBack() async throws {
        try await withSetup("kl") { setup in
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork))
            #expect(try await setup.chainbot(["apply"]).succeeded)
            let before = try await setup.table()

            // A new rule opens 7000; chainbot pauses between load and confirm, and is killed there.
            let open = """
                ---
                apiVersion: chainbot.dev/v1
                kind: FirewallRule
                metadata: {name: extra}
                spec: {action: accept, protocol: tcp, ports: [7000]}
                """
            setup.write(
                Self.manifests(peerNetwork: setup.peerNetwork, confirmTimeout: "\(Self.revertAfter)s", extra: open))
            let apply = try DetachedProcess.launch(
                NetworkPair.script,
                [
                    "exec", setup.pair.name, "host", "env", "CHAINBOT_RUNTIME_DIR=\(setup.directory.file("run"))",
                    "CHAINBOT_FIREWALL_CONFIRM_DELAY_MS=60000", Self.binary, "apply", "-f", setup.manifests, "--state",
                    setup.state,
                ], logPath: setup.directory.file("apply.log"))
            let loaded = try await Poll.within(.seconds(Self.revertAfter)) {
                try await setup.table().contains("dport 7000")
            }
            #expect(
                loaded, "the new table was never loaded: \(Fixtures.readText(setup.directory.file("apply.log")) ?? "")")
            #expect(try await setup.pair.peerConnects(to: 7000))
            apply.terminate()  // SIGKILL: no chance to confirm or clean up

            let reverted = try await Poll.within(.seconds(Self.revertAfter + 60)) { try await setup.table() == before }
            let now = try await setup.table()
            #expect(reverted, "still: \(now)")
            #expect(try await !setup.pair.peerConnects(to: 7000))
            // The revert is an event with its reason, in the state store (written just after restoring).
            func isRevertEvent(_ event: StoredEvent) -> Bool {
                event.event.reason == "FirewallReverted"
                    && event.event.message.contains("not confirmed within \(Self.revertAfter)s")
            }
            var events: [StoredEvent] = []
            _ = try await Poll.within(.seconds(120)) {
                events = try SQLiteStateStore.open(path: setup.state).events(
                    since: Timestamp(millisecondsSinceEpoch: 0))
                return events.contains(where: isRevertEvent)
            }
            #expect(events.contains(where: isRevertEvent), "\(events)")
        }
    }

    @Test func aLateConfirmationReportsTheRevert() async throws {
        try await withSetup("lt") { setup in
            // The confirmation comes 15 s after the deadline, so a watchdog slowed by a loaded machine still
            // reverts first.
            setup.write(Self.manifests(peerNetwork: setup.peerNetwork, confirmTimeout: "\(Self.revertAfter)s"))
            let late = try await setup.chainbot(
                ["apply"], environment: ["CHAINBOT_FIREWALL_CONFIRM_DELAY_MS": "\((Self.revertAfter + 15) * 1000)"])
            #expect(late.termination == .exited(2))
            #expect(
                (late.output + late.errorOutput).contains(
                    "firewall reverted: it was not confirmed within \(Self.revertAfter)s"),
                "\(late.output)\(late.errorOutput)")
            let events = try SQLiteStateStore.open(path: setup.state).events(
                since: Timestamp(millisecondsSinceEpoch: 0))
            #expect(
                events.contains {
                    $0.event.reason == "FirewallReverted" && $0.event.regardingName == "pi"
                        && $0.event.message.contains("not confirmed within \(Self.revertAfter)s")
                }, "\(events)")
            // The table did not exist before, so the revert removed it: everything connects again.
            #expect(try await setup.pair.peerConnects(to: 7000))
            #expect(
                try await setup.pair.run(.host, ["nft", "list", "table", "inet", "chainbot"]).termination == .exited(1))
        }
    }
}
