import ChainbotCore
import ChainbotTestSupport
import Testing

/// Offline (`--root`), kinds that exist only on a live host are named as such, not as unmanaged.
@Suite struct OfflineNotesTests {
    @Test func portsAndFirewallsAreNotComparedOfflineAndSaySo() async throws {
        let work = TemporaryDirectory("chainbot-offline-notes")
        work.write("image/etc/.keep", "")
        let manifests = work.write(
            "manifests/net.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: Firewall
            metadata: {name: pi}
            spec: {managementPorts: [5420]}
            ---
            apiVersion: chainbot.dev/v1
            kind: Port
            metadata: {name: api}
            spec: {port: 9000}
            """)
        let run = await CLIHarness.run(
            ["diff", "--root", work.file("image"), "-f", manifests, "--state", work.file("state.db")],
            environment: ["NO_COLOR": "1"])
        #expect(
            run.stdout.contains(
                "note: not compared offline (--root; they exist only on a live host): 1 Firewall, 1 Port"),
            "\(run.stdout)")
        #expect(!run.stdout.contains("does not manage these kinds yet"))
    }
}
