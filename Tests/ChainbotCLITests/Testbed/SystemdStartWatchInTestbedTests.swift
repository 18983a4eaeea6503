import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// Under a real systemd as PID 1, `chainbot apply` watches the units it starts from systemd's signals: a
/// service that exits 50 ms after each start and is restarted 10 ms later by `Restart=always` is a
/// failure, although it is active again at almost any instant a check could look (checks 100 ms apart saw
/// it active twice and called it settled); a healthy service beside it settles and stays up. A service
/// that fails 3 s after its start passes the default 200 ms but not the `minUptime: 6s` its manifest asks
/// for, from the signals and from the checks alike.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"))
struct SystemdStartWatchInTestbedTests {
    static let manifest = """
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: flapper}
        spec: {exec: /bin/sleep 0.05, restart: always, restartSec: 10ms}
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: steady}
        spec: {exec: /bin/sleep infinity}

        """

    @Test func aServiceThatAnAutoRestartKeepsRevivingIsAFailureAndAHealthyOneSettles() async throws {
        try await Testbed.with(name: "start-watch", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            try await testbed.writeFile("/srv/m/all.yaml", Self.manifest)
            let applied = try await testbed.exec(
                [Testbed.chainbotBinary, "apply", "-f", "/srv/m", "--state", "/srv/s.db"], timeout: .seconds(300))
            let text = applied.output + applied.errorOutput

            #expect(applied.termination != .exited(0), "\(applied)")
            #expect(text.contains("flapper.service failed right after starting"), "\(text)")
            // Seen at its first exit, not only once systemd's start limit failed it for good.
            #expect(text.contains("it exited and systemd is restarting it"), "\(text)")
            #expect(!text.contains("steady.service failed"), "\(text)")
            #expect(try await testbed.unitProperty("ActiveState", of: "steady.service") == "active")
        }
    }

    static let lateCrashes = """
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: watched-long}
        spec: {exec: /usr/bin/timeout 3 /bin/sleep 60, minUptime: 6s}
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: watched-briefly}
        spec: {exec: /usr/bin/timeout 3 /bin/sleep 60}

        """

    @Test func aServiceThatFailsWithinItsMinUptimeFailsTheApplyAndOneWithTheDefaultDoesNot() async throws {
        try await Testbed.with(name: "min-uptime", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            try await testbed.writeFile("/srv/m/all.yaml", Self.lateCrashes)
            // Over D-Bus (the watch), then with `systemctl` reads (checks 100 ms apart): the second apply starts
            // both again, as both have failed by then.
            for reads in ["dbus", "systemctl"] {
                let applied = try await testbed.exec(
                    [
                        "/usr/bin/env", "CHAINBOT_SYSTEMD_READS=\(reads)", Testbed.chainbotBinary, "apply", "-f",
                        "/srv/m",
                        "--state", "/srv/s.db",
                    ], timeout: .seconds(300))
                let text = applied.output + applied.errorOutput

                #expect(applied.termination != .exited(0), "\(reads): \(applied)")
                #expect(
                    text.contains("watched-long.service failed right after starting (exit-code, status 124)"),
                    "\(reads): \(text)")
                #expect(!text.contains("watched-briefly.service failed"), "\(reads): \(text)")
            }
        }
    }
}
