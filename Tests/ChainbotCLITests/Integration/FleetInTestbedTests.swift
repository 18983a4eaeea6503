import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// One fleet repository on a real systemd host whose kernel host name changes (the testbed has its own UTS
/// namespace): without `--host`, chainbot selects by `hostname`, creates the unit meant for the kitchen
/// Pis there, and prunes it when the same host is renamed into the garage.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"))
struct FleetInTestbedTests {
    static let manifests = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd.chainbot, content: "every host\\n"}
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata:
          name: kitchen-sleeper
          hostSelector: {hostname: "pi-kitchen-*"}
        spec:
          exec: /bin/sleep infinity

        """

    @Test func theKernelHostNameSelectsAndARenamedHostPrunesWhatNoLongerMatches() async throws {
        try await Testbed.with(name: "fleet", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            try await testbed.writeFile("/srv/manifests/pi.yaml", Self.manifests)
            let chainbot = { (arguments: [String]) in
                try await testbed.exec(
                    [Testbed.chainbotBinary] + arguments + ["-f", "/srv/manifests"], timeout: .seconds(120))
            }
            #expect(try await testbed.exec(["hostname", "pi-kitchen-1"]).succeeded)
            let kitchen = try await chainbot(["apply", "--prune"])
            #expect(kitchen.succeeded, "\(kitchen.output)\(kitchen.errorOutput)")
            #expect(try await testbed.unitProperty("ActiveState", of: "kitchen-sleeper.service") == "active")
            let status = try await testbed.exec([Testbed.chainbotBinary, "status"])
            #expect(status.output.contains("host: pi-kitchen-1\n"), "\(status.output)")

            #expect(try await testbed.exec(["hostname", "pi-garage"]).succeeded)
            let diff = try await chainbot(["diff"])
            #expect(diff.termination == .exited(1), "\(diff.output)\(diff.errorOutput)")
            #expect(
                diff.output.contains("Service/kitchen-sleeper left the manifests (apply --prune removes it)"),
                "\(diff.output)")
            let garage = try await chainbot(["apply", "--prune"])
            #expect(garage.succeeded, "\(garage.output)\(garage.errorOutput)")
            #expect(try await testbed.unitProperty("LoadState", of: "kitchen-sleeper.service") == "not-found")
            #expect(try await testbed.exec(["cat", "/etc/motd.chainbot"]).output == "every host\n")
        }
    }
}
