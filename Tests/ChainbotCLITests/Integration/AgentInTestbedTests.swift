import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `chainbot agent` as a real systemd service (contrib/systemd/chainbot-agent.service, with the test's
/// binary, manifests and a short resync) inside the testbed, against a real systemd as PID 1.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"),
    .serialized)
struct AgentInTestbedTests {
    static let binary = Testbed.chainbotBinary

    static func manifests(greeting: String = "hello", sleeperDrift: String = "enforce", extra: String = "") -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: web-env}
        spec:
          path: /etc/web/web.env
          env: {GREETING: \(greeting)}
          notify: [Service/web]
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: web}
        spec:
          exec: /usr/bin/python3 -m http.server 18097 --bind 127.0.0.1 --directory /etc/web
          environmentFile: /etc/web/web.env
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata:
          name: sleeper
          annotations: {chainbot.dev/drift: \(sleeperDrift)}
        spec:
          exec: /bin/sleep infinity
        \(extra)
        """
    }

    /// Where the agent's binary is installed inside the testbed, as on a Pi (the shipped unit's path).
    static let installed = "/usr/local/bin/chainbot"
    /// The shipped unit's watchdog interval here: short enough to test, long enough for a loaded machine.
    static let watchdogSeconds = 10

    /// The shipped unit with this test's manifests and timings. `ExecStart=` keeps the shipped binary path:
    /// the unit has `PrivateTmp=yes`, so a binary in a checkout under /tmp would not be there for it (203/EXEC).
    static func unit() throws -> String {
        let shipped = try #require(Fixtures.readText(Fixtures.path("contrib/systemd/chainbot-agent.service")))
        return shipped.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("ExecStart=") {
                return "ExecStart=\(installed) agent -f /srv/manifests --state /var/lib/chainbot/state.db --resync 3s"
            }
            if line.hasPrefix("WatchdogSec=") { return "WatchdogSec=\(watchdogSeconds)s" }
            if line.hasPrefix("RestartSec=") { return "RestartSec=1s" }
            if line.hasPrefix("TimeoutAbortSec=") { return "TimeoutAbortSec=5s" }
            return String(line)
        }.joined(separator: "\n")
    }

    /// Installs this test's binary at the shipped path inside the testbed and the unit beside it.
    private func installAgent(in testbed: Testbed) async throws {
        try await testbed.copyIn(Self.binary, to: Self.installed)
        try await write("/etc/systemd/system/chainbot-agent.service", try Self.unit(), in: testbed)
    }

    /// The agent's main PID inside the testbed, once the unit is active with one (never 0 or empty).
    private func agentPID(in testbed: Testbed) async throws -> Int32 {
        let state = try await property("ActiveState", of: "chainbot-agent.service", in: testbed)
        let pid = try await property("MainPID", of: "chainbot-agent.service", in: testbed)
        let status = try await testbed.exec(["systemctl", "status", "--no-pager", "chainbot-agent.service"]).output
        return try #require(Int32(pid).flatMap { $0 > 1 && state == "active" ? $0 : nil }, "\(state), \(status)")
    }

    /// How long the agent's current main process has run, from systemd's monotonic start timestamp.
    private func agentUptime(in testbed: Testbed) async throws -> Duration {
        let text = try await property("ExecMainStartTimestampMonotonic", of: "chainbot-agent.service", in: testbed)
        let started = try #require(Int64(text), "ExecMainStartTimestampMonotonic: '\(text)'")
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return .microseconds(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000 - started)
    }

    private func write(_ path: String, _ text: String, in testbed: Testbed) async throws {
        try await testbed.writeFile(path, text)
    }

    private func property(_ name: String, of unit: String, in testbed: Testbed) async throws -> String {
        try await testbed.unitProperty(name, of: unit)
    }

    /// Polls `condition` every 100 ms for up to `seconds`; returns how long it took, or nil.
    private func within(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < .milliseconds(Int64(seconds * 1000)) {
            if try await condition() { return clock.now - start }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    private func chainbot(_ arguments: [String], in testbed: Testbed) async throws -> CommandResult {
        try await testbed.exec([Self.binary] + arguments + ["--state", "/var/lib/chainbot/state.db"])
    }

    @Test func keepsTheHostConvergedAsASystemdService() async throws {
        try await Testbed.with(name: "agent", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) { testbed in
            try await write("/srv/manifests/pi.yaml", Self.manifests(), in: testbed)
            try await installAgent(in: testbed)
            _ = try await testbed.exec(["systemctl", "daemon-reload"])
            let started = try await testbed.exec(["systemctl", "start", "chainbot-agent.service"])
            // Type=notify: start returns once READY=1 came, after the first pass. A unit that cannot start fails
            // the test here, not after every later wait.
            try #require(started.succeeded, "\(started.errorOutput)")
            #expect(try await property("ActiveState", of: "web.service", in: testbed) == "active")
            #expect(try await property("ActiveState", of: "sleeper.service", in: testbed) == "active")
            #expect(try await property("StatusText", of: "chainbot-agent.service", in: testbed).contains("3 resources"))

            // Stopped by hand: back within one resync (3 s).
            _ = try await testbed.exec(["systemctl", "stop", "sleeper.service"])
            let healed = try await within(5) {
                try await property("ActiveState", of: "sleeper.service", in: testbed) == "active"
            }
            #expect(healed != nil, "sleeper was not restarted within one resync")

            // An edited manifest is applied within 2 s of the save.
            try await write("/srv/manifests/pi.yaml", Self.manifests(greeting: "bonjour"), in: testbed)
            let applied = try await within(2) {
                try await testbed.exec(["cat", "/etc/web/web.env"]).output == "GREETING=bonjour\n"
            }
            #expect(applied != nil, "the edit was not applied within 2 s")

            // An invalid edit: the last good state stays, the diagnostics are reported.
            try await write(
                "/srv/manifests/pi.yaml", Self.manifests(greeting: "bonjour") + "\nkind: Bogus\n", in: testbed)
            let reported = try await within(3) {
                try await chainbot(["status"], in: testbed).output.contains("manifests: INVALID")
            }
            #expect(reported != nil)
            let status = try await chainbot(["status"], in: testbed).output
            #expect(status.contains("duplicate key 'kind'"), "\(status)")
            _ = try await testbed.exec(["systemctl", "stop", "sleeper.service"])
            let stillHealed = try await within(5) {
                try await property("ActiveState", of: "sleeper.service", in: testbed) == "active"
            }
            #expect(stillHealed != nil, "the last good manifests must stay in force")

            // warn policy: reported, not touched.
            try await write(
                "/srv/manifests/pi.yaml", Self.manifests(greeting: "bonjour", sleeperDrift: "warn"), in: testbed)
            try await Task.sleep(for: .seconds(1))
            _ = try await testbed.exec(["systemctl", "stop", "sleeper.service"])
            let warned = try await within(6) {
                try await chainbot(["get", "Service/sleeper"], in: testbed).output.contains("DriftWarned")
            }
            #expect(warned != nil)
            #expect(try await property("ActiveState", of: "sleeper.service", in: testbed) == "inactive")

            // suspend / resume: a hold holds, also against the Port that would restart its owner.
            let port = """
                ---
                apiVersion: chainbot.dev/v1
                kind: Port
                metadata: {name: web-http}
                spec: {port: 18097, owner: Service/web}
                """
            try await write("/srv/manifests/pi.yaml", Self.manifests(greeting: "bonjour", extra: port), in: testbed)
            let portSynced = try await within(8) {
                try await chainbot(["get", "Port/web-http"], in: testbed).output.contains("Synced")
            }
            #expect(portSynced != nil)
            let unknown = try await chainbot(
                ["suspend", "Service/nope", "--for", "1h", "-f", "/srv/manifests"], in: testbed)
            #expect(!unknown.succeeded)
            #expect(unknown.errorOutput.contains("Service/nope is not in the manifests"), "\(unknown.errorOutput)")
            let suspend = try await chainbot(
                ["suspend", "Service/web", "--for", "1h", "-f", "/srv/manifests"], in: testbed)
            #expect(suspend.succeeded, "\(suspend.errorOutput)")
            _ = try await testbed.exec(["systemctl", "stop", "web.service"])
            // A pass saw the Port without its listener and held the owner's restart.
            let held = try await within(10) {
                try await chainbot(["events", "-o", "json"], in: testbed).output.contains(
                    "held: Service/web is suspended")
            }
            #expect(held != nil, "no pass reported the held restart")
            #expect(try await property("ActiveState", of: "web.service", in: testbed) == "inactive")
            #expect(try await chainbot(["get", "Service/web"], in: testbed).output.contains("suspended until"))
            let apply = try await testbed.exec(
                [Self.binary, "apply", "-f", "/srv/manifests", "--state", "/var/lib/chainbot/state.db"],
                timeout: .seconds(120))
            #expect(apply.output.contains("held: Service/web is suspended until"), "\(apply.output)")
            #expect(try await property("ActiveState", of: "web.service", in: testbed) == "inactive", "apply holds too")
            #expect(try await chainbot(["resume", "Service/web"], in: testbed).succeeded)
            let resumed = try await within(5) {
                try await property("ActiveState", of: "web.service", in: testbed) == "active"
            }
            #expect(resumed != nil)

            // The watchdog: alive while healthy (the first process, pinging, for well over WatchdogSec); a hung
            // agent (SIGSTOP) is restarted by systemd.
            let pid = try await agentPID(in: testbed)
            let lived = try await within(Double(Self.watchdogSeconds) * 4) {
                try await agentUptime(in: testbed) > .seconds(Self.watchdogSeconds * 3 / 2)
            }
            #expect(lived != nil, "the agent did not run 1.5 × WatchdogSec")
            #expect(try await agentPID(in: testbed) == pid, "pings keep it alive")
            #expect(try await property("NRestarts", of: "chainbot-agent.service", in: testbed) == "0")
            let stopped = try await testbed.exec(["kill", "-STOP", String(pid)])
            #expect(stopped.succeeded, "\(stopped.errorOutput)")
            // WatchdogSec, then SIGABRT and TimeoutAbortSec, then RestartSec; generously, for a loaded machine.
            let restarted = try await within(Double(Self.watchdogSeconds) * 6) {
                let now = try await property("MainPID", of: "chainbot-agent.service", in: testbed)
                return now != String(pid) && Int32(now).map { $0 > 1 } == true
            }
            #expect(restarted != nil, "systemd did not restart the hung agent")
            #expect(try await property("NRestarts", of: "chainbot-agent.service", in: testbed) != "0")

            // SIGTERM: exits 0 (the unit stops cleanly, not failed), the store is consistent.
            let stop = try await testbed.exec(["systemctl", "stop", "chainbot-agent.service"])
            #expect(stop.succeeded)
            #expect(try await property("Result", of: "chainbot-agent.service", in: testbed) == "success")
            let after = try await chainbot(["status"], in: testbed)
            #expect(after.output.contains("agent: not running"), "\(after.output)")
            let history = try await chainbot(["history", "-o", "json"], in: testbed)
            #expect(history.succeeded, "\(history.errorOutput)")
            #expect(!history.output.contains("\"outcome\" : null"), "no revision left unfinished")
        }
    }

    @Test func killedMidApplyItConvergesAfterARestart() async throws {
        try await Testbed.with(name: "agentkill", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            var extra = ""
            for index in 1...12 {
                extra += """
                    ---
                    apiVersion: chainbot.dev/v1
                    kind: Service
                    metadata: {name: extra-\(index)}
                    spec: {exec: /bin/sleep infinity}

                    """
            }
            try await write("/srv/manifests/pi.yaml", Self.manifests(extra: extra), in: testbed)
            try await installAgent(in: testbed)
            _ = try await testbed.exec(["systemctl", "daemon-reload"])
            // --no-block: kill it while the first pass is still starting services.
            _ = try await testbed.exec(["systemctl", "start", "--no-block", "chainbot-agent.service"])
            let running = try await within(60) {
                let pid = try await property("MainPID", of: "chainbot-agent.service", in: testbed)
                return Int32(pid).map { $0 > 1 } == true
            }
            try #require(running != nil, "the agent never got a main process")
            try await Task.sleep(for: .milliseconds(700))
            _ = try await testbed.exec(["systemctl", "kill", "--signal=KILL", "chainbot-agent.service"])
            // Restart=on-failure brings it back; it converges everything (generously: a loaded 2-core machine
            // starts 14 services slowly). An agent that cannot run hits the unit's start limit (failed), which
            // ends the wait at once.
            var failed = false
            let converged = try await within(120) {
                failed = try await property("ActiveState", of: "chainbot-agent.service", in: testbed) == "failed"
                if failed { return true }
                for index in 1...12
                where try await property("ActiveState", of: "extra-\(index).service", in: testbed) != "active" {
                    return false
                }
                return try await property("ActiveState", of: "web.service", in: testbed) == "active"
            }
            let unit = try await testbed.exec(["systemctl", "status", "--no-pager", "chainbot-agent.service"]).output
            try #require(!failed, "the agent unit failed: \(unit)")
            #expect(converged != nil, "not converged after the restart")
            let status = try await within(60) {
                try await chainbot(["status"], in: testbed).termination == .exited(0)
            }
            let final = try await chainbot(["status"], in: testbed).output
            #expect(status != nil, "\(final)")
            let history = try await chainbot(["history"], in: testbed)
            #expect(history.succeeded, "\(history.errorOutput)")
        }
    }
}
