import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// `backend: ufw` end to end: the built `chainbot` runs inside a network namespace with private UFW state
/// (`contrib/testbed/ufw-netns.sh`), real ufw applies the rules, and real TCP from the peer namespace
/// shows what gets through.
@Suite(
    .enabled(if: UfwPair.unavailable == nil, "\(UfwPair.unavailable ?? "")"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct UfwFirewallInNamespaceTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    /// The confirm timeout of the killed apply, in seconds: the watchdog restores the rules this long after
    /// arming.
    static let revertAfter = 20

    static func manifests(confirmTimeout: String = "60s", extra: String = "") -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: Firewall
        metadata: {name: pi}
        spec:
          backend: ufw
          defaultInput: drop
          managementPorts: [5420]
          confirmTimeout: \(confirmTimeout)
        ---
        apiVersion: chainbot.dev/v1
        kind: FirewallRule
        metadata: {name: gui}
        spec: {action: accept, protocol: tcp, ports: [8080], from: [10.213.0.0/24]}
        ---
        apiVersion: chainbot.dev/v1
        kind: Port
        metadata: {name: api}
        spec:
          port: 9000
          address: 0.0.0.0
          expose: {from: [10.213.0.0/24]}
        \(extra)
        """
    }

    @Test func convergesWithRealUfwLeavesForeignRulesAloneAndRevertsWhenKilled() async throws {
        let pair = try UfwPair("cbufwcli")
        // 60 s to confirm (the default): a first converge takes ufw over 12 s on a loaded 2-core machine.
        defer { pair.destroy() }
        let directory = TemporaryDirectory()
        let listener = try DetachedProcess.launch(
            UfwPair.script,
            [
                "exec", pair.name, "python3", Fixtures.path("contrib/testbed/tcp.py"), "listen", "5420", "8080", "9000",
                "7000",
            ], logPath: directory.file("listener.log"))
        defer { listener.terminate() }
        let ready = try await Poll.within(.seconds(120)) {
            Fixtures.readText(directory.file("listener.log"))?.contains("ready") == true
        }
        try #require(ready, "the listener did not start: \(Fixtures.readText(directory.file("listener.log")) ?? "")")
        func chainbot(_ arguments: [String], delay: String? = nil) async throws -> CommandResult {
            var argv = ["env", "CHAINBOT_RUNTIME_DIR=\(directory.file("run"))", "NO_COLOR=1"]
            if let delay { argv.append("CHAINBOT_FIREWALL_CONFIRM_DELAY_MS=\(delay)") }
            return try await pair.exec(
                argv + [Self.binary] + arguments + ["-f", directory.file("m"), "--state", directory.file("state.db")])
        }
        directory.write("m/pi.yaml", Self.manifests())

        // Converge: default deny, 5420 from anywhere, 8080 and 9000 from the peer's network.
        #expect(try await pair.peerConnects(to: 7000))
        let applied = try await chainbot(["apply"])
        #expect(applied.succeeded, "\(applied.output)\(applied.errorOutput)")
        for port in [5420, 8080, 9000] { #expect(try await pair.peerConnects(to: port), "port \(port)") }
        #expect(try await !pair.peerConnects(to: 7000))
        #expect(try await chainbot(["diff", "--kind", "FirewallRule"]).termination == .exited(0))

        // A rule added by hand (no chainbot tag) is someone else's: left alone, not drift.
        #expect(try await pair.exec(["ufw", "allow", "7000/tcp"]).succeeded)
        // chainbot's own rule deleted by hand is drift, and apply puts it back.
        let deleted = try await pair.exec([
            "ufw", "delete", "allow", "proto", "tcp", "from", "10.213.0.0/24", "to", "any", "port", "8080",
        ])
        #expect(deleted.succeeded, "\(deleted.output)\(deleted.errorOutput)")
        let diff = try await chainbot(["diff", "--kind", "FirewallRule"])
        #expect(diff.termination == .exited(1))
        #expect(diff.output.contains("+allow 8080/tcp from 10.213.0.0/24"), "\(diff.output)")
        #expect(!diff.output.contains("7000"), "\(diff.output)")
        #expect(try await chainbot(["apply"]).succeeded)
        #expect(try await pair.peerConnects(to: 8080))
        #expect(try await pair.peerConnects(to: 7000), "the foreign rule is still there")

        // Killed between applying and confirming: the watchdog restores ufw as it was once the timeout is
        // over. The timeout must outlast loading the one new rule on a loaded machine, or the watchdog would
        // restore before ufw finished and the rule would stay.
        let before = try await pair.exec(["ufw", "status", "verbose"]).output
        directory.write(
            "m/pi.yaml",
            Self.manifests(
                confirmTimeout: "\(Self.revertAfter)s",
                extra: """
                    ---
                    apiVersion: chainbot.dev/v1
                    kind: FirewallRule
                    metadata: {name: extra}
                    spec: {action: accept, protocol: tcp, ports: [7001]}
                    """))
        let apply = try DetachedProcess.launch(
            UfwPair.script,
            [
                "exec", pair.name, "env", "CHAINBOT_RUNTIME_DIR=\(directory.file("run"))",
                "CHAINBOT_FIREWALL_CONFIRM_DELAY_MS=60000", Self.binary, "apply", "-f", directory.file("m"), "--state",
                directory.file("state.db"),
            ], logPath: directory.file("apply.log"))
        let loaded = try await Poll.within(.seconds(Self.revertAfter)) {
            try await pair.exec(["ufw", "status"]).output.contains("7001/tcp")
        }
        #expect(loaded, "\(Fixtures.readText(directory.file("apply.log")) ?? "")")
        apply.terminate()
        let restored = try await Poll.within(.seconds(Self.revertAfter + 60)) {
            try await pair.exec(["ufw", "status", "verbose"]).output == before
        }
        let now = try await pair.exec(["ufw", "status", "verbose"]).output
        #expect(restored, "\(now)")
        // The watchdog records the event after restoring.
        var events: [StoredEvent] = []
        _ = try await Poll.within(.seconds(120)) {
            events = try SQLiteStateStore.open(path: directory.file("state.db")).events(
                since: Timestamp(millisecondsSinceEpoch: 0))
            return events.contains { $0.event.reason == "FirewallReverted" }
        }
        #expect(events.contains { $0.event.reason == "FirewallReverted" }, "\(events)")
    }
}

/// A namespace with private UFW state and its peer, from `contrib/testbed/ufw-netns.sh`; the name is made
/// unique per process and call, so parallel test runs never share (or destroy) one another's.
struct UfwPair {
    private static let counter = Atomic<Int>(0)

    static let script = Fixtures.path("contrib/testbed/ufw-netns.sh")
    static let unavailable: String? = {
        if geteuid() != 0 { return "needs root (network namespaces, mounts)" }
        if !Fixtures.exists("/usr/sbin/ufw") { return "ufw is not installed (apt-get install ufw)" }
        if !Fixtures.exists("/usr/bin/python3") { return "needs python3 for the TCP listener and client" }
        return nil
    }()

    let name: String
    let runner = SpawnCommandRunner()

    init(_ prefix: String) throws {
        name = "\(prefix)-\(getpid())-\(Self.counter.wrappingAdd(1, ordering: .relaxed).newValue)"
        let result = try runner.runSynchronously(
            CommandInvocation(Self.script, ["create", name], timeout: .seconds(20)))
        try #require(result.succeeded, "ufw-netns.sh create \(name): \(result.errorOutput)")
    }

    func destroy() {
        _ = try? runner.runSynchronously(CommandInvocation(Self.script, ["destroy", name], timeout: .seconds(20)))
    }

    func exec(_ argv: [String]) async throws -> CommandResult {
        try await runner.run(CommandInvocation(Self.script, ["exec", name] + argv, timeout: .seconds(60)))
    }

    func peerConnects(to port: Int) async throws -> Bool {
        let result = try await runner.run(
            CommandInvocation(
                Self.script,
                [
                    "peer", name, "python3", Fixtures.path("contrib/testbed/tcp.py"), "probe", "10.213.0.1",
                    String(port), "0.5",
                ],
                timeout: .seconds(20)))
        return result.succeeded
    }
}
