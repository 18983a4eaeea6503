import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// The agent under real systemd hears a unit change from systemd itself (D-Bus, its direct socket): a
/// `systemctl stop` of a managed service is undone long before a ten-minute resync, and so is a
/// `systemctl disable`.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"))
struct AgentUnitEventsInTestbedTests {
    static let manifest = """
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: sleeper}
        spec: {exec: /bin/sleep infinity, enabled: true, state: running}

        """

    /// The shipped unit with a resync of ten minutes: only an event can explain a quick heal.
    static func unit() throws -> String {
        try AgentInTestbedTests.unit().replacing("--resync 3s", with: "--resync 10m")
    }

    @Test func aStoppedAndADisabledUnitAreHealedLongBeforeTheResync() async throws {
        try await Testbed.with(name: "unit-events", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            try await testbed.writeFile("/srv/manifests/sleeper.yaml", Self.manifest)
            try await testbed.copyIn(Testbed.chainbotBinary, to: AgentInTestbedTests.installed)
            try await testbed.writeFile("/etc/systemd/system/chainbot-agent.service", try Self.unit())
            _ = try await testbed.exec(["systemctl", "daemon-reload"])
            let started = try await testbed.exec(
                ["systemctl", "start", "chainbot-agent.service"], timeout: .seconds(300))
            try #require(started.succeeded, "\(started)")
            let active = { try await testbed.unitProperty("ActiveState", of: "sleeper.service") }
            try #require(try await Poll.within(.seconds(60)) { try await active() == "active" })

            _ = try await testbed.exec(["systemctl", "stop", "sleeper.service"])
            let clock = ContinuousClock()
            let stopped = clock.now
            #expect(try await Poll.within(.seconds(120)) { try await active() == "active" }, "restarted")
            print("AgentUnitEventsInTestbedTests: systemctl stop healed in \(clock.now - stopped)")

            // Once that heal's pass has ended, so that the disable is a change of its own (one during the
            // pass would be healed by the pass's second look instead, without a "host changed" line).
            let journal = { try await testbed.exec(["journalctl", "--no-pager", "-o", "cat", "-u", "chainbot-agent"]) }
            try #require(
                try await Poll.within(.seconds(120)) {
                    try await journal().output.ranges(of: "synced 1: 1 changed").count >= 2
                })
            _ = try await testbed.exec(["systemctl", "disable", "sleeper.service"])
            let enabled = { try await testbed.unitProperty("UnitFileState", of: "sleeper.service") }
            let reenabled = try await Poll.within(.seconds(120)) { try await enabled() == "enabled" }
            let afterDisable = try await journal().output
            #expect(reenabled, "enabled again: \(afterDisable)")
            let log = try await journal().output
            #expect(log.ranges(of: "host changed: Service/sleeper").count >= 2, "\(log)")
        }
    }
}
