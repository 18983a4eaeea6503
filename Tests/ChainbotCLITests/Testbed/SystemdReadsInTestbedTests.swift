import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// Under a real systemd as PID 1, `chainbot` reads units over systemd's D-Bus socket, and what it reads
/// is what `systemctl show` says: `diff -o json` over units in every state (running, stopped, failed,
/// masked, with a drop-in, needing a daemon-reload, missing) is the same byte for byte with
/// `CHAINBOT_SYSTEMD_READS=systemctl`, while a `systemctl` shim on `PATH` shows that only that run spawned
/// `systemctl show`. A unit that dies right after its start is reported with its result and status from
/// D-Bus too.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"))
struct SystemdReadsInTestbedTests {
    static let units = ["running", "stopped", "failed", "masked", "dropin", "stale", "missing"]
    static let unitFile = "[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n"
    /// Logs each call's arguments, then runs the real systemctl.
    static let shim = "#!/bin/sh\necho \"$*\" >> /srv/shim/calls\nexec /usr/bin/systemctl \"$@\"\n"

    static func manifest(_ names: [String], exec: String = "/bin/sleep infinity") -> String {
        names.map { name in
            """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata: {name: \(name)}
            spec: {exec: \(exec), enabled: true, state: running}

            """
        }.joined(separator: "---\n")
    }

    @Test func diffReadsUnitsOverDBusExactlyAsSystemctlShowDoesAndASettleFailureNamesItsResult() async throws {
        try await Testbed.with(name: "systemd-reads", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            try await Self.prepare(testbed)
            try await testbed.writeFile("/srv/m/all.yaml", Self.manifest(Self.units))
            let viaDBus = try await Self.chainbot(
                testbed, ["diff", "-f", "/srv/m", "--state", "/srv/s.db", "-o", "json"])
            let dbusCalls = try await Self.calls(testbed)
            let viaShow = try await Self.chainbot(
                testbed, ["diff", "-f", "/srv/m", "--state", "/srv/s.db", "-o", "json"], reads: "systemctl")
            let showCalls = try await Self.calls(testbed)

            #expect(viaDBus.termination == .exited(1), "\(viaDBus)")
            #expect(viaDBus.output == viaShow.output, "D-Bus:\n\(viaDBus.output)\nsystemctl show:\n\(viaShow.output)")
            #expect(!dbusCalls.contains("show"), "the default run spawned systemctl: \(dbusCalls)")
            #expect(showCalls.contains("show --property="), "\(showCalls)")
            for (name, reason) in [
                ("running", "active (running)"), ("failed", "failed: exit-code (status 1)"), ("masked", "masked"),
                ("missing", "not found"), ("stopped", "inactive"),
            ] {
                #expect(viaDBus.output.contains("\"healthReason\": \"\(reason)\""), "\(name): \(viaDBus.output)")
            }

            // A start that dies at once: the settle checks and the failure's result come over D-Bus.
            try await testbed.writeFile("/srv/m/all.yaml", Self.manifest(["crasher"], exec: "/bin/false"))
            let applied = try await Self.chainbot(testbed, ["apply", "-f", "/srv/m", "--state", "/srv/s.db"])
            let applyCalls = try await Self.calls(testbed)
            #expect(applied.termination != .exited(0), "\(applied)")
            let text = applied.output + applied.errorOutput
            // Usually the start job finishes before /bin/false exits, and the settle check (over D-Bus) finds
            // the unit failed, with its result; on a loaded machine the job itself can fail first.
            let settled = text.contains("crasher.service failed right after starting (exit-code, status 1)")
            #expect(settled || text.contains("Job for crasher.service failed"), "\(text)")
            #expect(!applyCalls.contains("list-units") && !applyCalls.contains("show"), "\(applyCalls)")
            #expect(applyCalls.contains("start crasher.service"), "\(applyCalls)")
        }
    }

    /// Units in each state, and the shim.
    static func prepare(_ testbed: Testbed) async throws {
        for name in units where name != "missing" {
            try await testbed.writeFile("/etc/systemd/system/\(name).service", unitFile)
        }
        try await testbed.writeFile("/etc/systemd/system/failed.service", "[Service]\nExecStart=/bin/false\n")
        try await testbed.writeFile("/etc/systemd/system/dropin.service.d/a.conf", "[Service]\nEnvironment=A=1\n")
        try await testbed.writeFile("/srv/shim/systemctl", shim)
        for argv in [
            ["chmod", "0755", "/srv/shim/systemctl"], ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "running.service", "dropin.service", "stale.service"],
            ["rm", "/etc/systemd/system/masked.service"], ["systemctl", "mask", "masked.service"],
        ] {
            let result = try await testbed.exec(argv)
            try #require(result.succeeded, "\(argv): \(result)")
        }
        _ = try await testbed.exec(["systemctl", "start", "failed.service"])
        // Changed after systemd loaded it: NeedDaemonReload=yes.
        try await testbed.writeFile("/etc/systemd/system/stale.service", "[Service]\nExecStart=/bin/sleep 1000\n")
        try #require(try await testbed.unitProperty("NeedDaemonReload", of: "stale.service") == "yes")
        try #require(try await testbed.unitProperty("ActiveState", of: "failed.service") == "failed")
    }

    /// Runs the chainbot binary inside with the shim first on `PATH`, and `CHAINBOT_SYSTEMD_READS` when given.
    static func chainbot(_ testbed: Testbed, _ arguments: [String], reads: String? = nil) async throws
        -> CommandResult
    {
        var argv = ["env", "PATH=/srv/shim:/usr/sbin:/usr/bin:/sbin:/bin"]
        if let reads { argv.append("CHAINBOT_SYSTEMD_READS=\(reads)") }
        return try await testbed.exec(argv + [Testbed.chainbotBinary] + arguments, timeout: .seconds(300))
    }

    /// The systemctl calls the shim saw since the last look, one per line; it forgets them.
    static func calls(_ testbed: Testbed) async throws -> String {
        let result = try await testbed.exec(["sh", "-c", "cat /srv/shim/calls 2>/dev/null; rm -f /srv/shim/calls"])
        return result.output
    }
}
