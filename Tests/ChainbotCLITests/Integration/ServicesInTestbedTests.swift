import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// The services slice against a real systemd booted as PID 1 in the project's testbed: the built
/// `chainbot` runs inside it, and real `systemctl` checks the result.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct ServicesInTestbedTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    static func manifests(greeting: String = "hello", port: Int = 18090, mode: String = "a", extra: String = "")
        -> String
    {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: web-env}
        spec:
          path: /etc/web/web.env
          mode: "0640"
          env: {GREETING: \(greeting)}
          notify: [Service/web]
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: web}
        spec:
          description: A real HTTP server on loopback
          exec: /usr/bin/python3 -m http.server \(port) --bind 127.0.0.1 --directory /etc/web
          environmentFile: /etc/web/web.env
          environment: {MODE: \(mode)}
          restart: on-failure
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: sleeper}
        spec:
          exec: /bin/sleep infinity
        \(extra)
        """
    }

    /// Writes `text` as the manifests inside the testbed.
    private func write(_ text: String, in testbed: Testbed) async throws {
        try await testbed.writeFile("/srv/manifests/pi.yaml", text)
    }

    private func chainbot(_ arguments: [String], in testbed: Testbed) async throws -> CommandResult {
        try await testbed.exec([Self.binary] + arguments + ["-f", "/srv/manifests"], timeout: .seconds(120))
    }

    private func property(_ name: String, of unit: String, in testbed: Testbed) async throws -> String {
        try await testbed.unitProperty(name, of: unit)
    }

    private func httpStatus(_ port: Int, in testbed: Testbed) async throws -> String {
        let script =
            "import urllib.request,sys\ntry: print(urllib.request.urlopen('http://127.0.0.1:\(port)/web.env', timeout=5).status)\nexcept Exception as e: print('error', e)"
        // The server needs a moment after systemd reports it started (a loaded machine: up to a minute).
        for _ in 0..<600 {
            let result = try await testbed.exec(["python3", "-c", script])
            if result.output.hasPrefix("200") { return "200" }
            try await Task.sleep(for: .milliseconds(100))
        }
        return "unreachable"
    }

    @Test func convergesHealsDriftRestartsOnceAndPrunes() async throws {
        try await Testbed.with(name: "services", binds: [Fixtures.packageRoot], runner: SpawnCommandRunner()) {
            testbed in
            try await write(Self.manifests(), in: testbed)

            // Fresh converge: files, units enabled and running, a real HTTP answer on loopback.
            let first = try await chainbot(["apply"], in: testbed)
            #expect(first.termination == .exited(0), "\(first.output)\n\(first.errorOutput)")
            for unit in ["web.service", "sleeper.service"] {
                #expect(try await property("ActiveState", of: unit, in: testbed) == "active")
                #expect(try await property("UnitFileState", of: unit, in: testbed) == "enabled")
            }
            #expect(try await httpStatus(18090, in: testbed) == "200")

            // No-op re-run.
            let again = try await chainbot(["apply"], in: testbed)
            #expect(again.output.contains("nothing to do: 3 resources match the manifests."), "\(again.output)")
            #expect(try await chainbot(["diff"], in: testbed).termination == .exited(0))

            // Only disabled by hand: the enable sticks (the manager reports it after the reload that follows
            // it), so the next diff and apply find nothing to do instead of repeating the fix.
            _ = try await testbed.exec(["systemctl", "disable", "sleeper.service"])
            let enable = try await chainbot(["apply"], in: testbed)
            #expect(enable.termination == .exited(0), "\(enable.output)\n\(enable.errorOutput)")
            #expect(try await property("UnitFileState", of: "sleeper.service", in: testbed) == "enabled")
            let afterEnable = try await chainbot(["diff"], in: testbed)
            #expect(afterEnable.termination == .exited(0), "\(afterEnable.output)")
            let settled = try await chainbot(["apply"], in: testbed)
            #expect(settled.output.contains("nothing to do: 3 resources match the manifests."), "\(settled.output)")

            // Drift by hand: stopped, disabled, unit file edited.
            _ = try await testbed.exec(["systemctl", "stop", "sleeper.service"])
            _ = try await testbed.exec(["systemctl", "disable", "web.service"])
            _ = try await testbed.exec([
                "sed", "-i", "s|/bin/sleep infinity|/bin/sleep 1000|", "/etc/systemd/system/sleeper.service",
            ])
            let drift = try await chainbot(["diff"], in: testbed)
            #expect(drift.termination == .exited(1))
            #expect(drift.output.contains("    state: stopped → running\n"), "\(drift.output)")
            #expect(drift.output.contains("    enabled: disabled → enabled\n"))
            #expect(drift.output.contains("      -ExecStart=/bin/sleep 1000\n      +ExecStart=/bin/sleep infinity\n"))
            let heal = try await chainbot(["apply"], in: testbed)
            #expect(heal.termination == .exited(0), "\(heal.output)\n\(heal.errorOutput)")
            #expect(try await property("ActiveState", of: "sleeper.service", in: testbed) == "active")
            #expect(try await property("ExecStart", of: "sleeper.service", in: testbed).contains("/bin/sleep infinity"))
            #expect(try await property("UnitFileState", of: "web.service", in: testbed) == "enabled")
            #expect(try await chainbot(["diff"], in: testbed).termination == .exited(0))

            // A notifying ConfigFile changes: exactly one restart of web.
            let before = try await property("MainPID", of: "web.service", in: testbed)
            try await write(Self.manifests(greeting: "bonjour"), in: testbed)
            let notify = try await chainbot(["apply"], in: testbed)
            #expect(notify.termination == .exited(0), "\(notify.output)\n\(notify.errorOutput)")
            #expect(notify.errorOutput.stepLines(naming: "systemctl restart web.service") == 1, "\(notify.errorOutput)")
            #expect(try await property("MainPID", of: "web.service", in: testbed) != before)
            #expect(try await testbed.exec(["cat", "/etc/web/web.env"]).output == "GREETING=bonjour\n")

            // The Service's own environment changes: its unit file changes, one restart.
            let beforeEnvironment = try await property("MainPID", of: "web.service", in: testbed)
            try await write(Self.manifests(greeting: "bonjour", mode: "b"), in: testbed)
            let environment = try await chainbot(["apply"], in: testbed)
            #expect(environment.termination == .exited(0), "\(environment.output)\n\(environment.errorOutput)")
            #expect(environment.errorOutput.stepLines(naming: "systemctl restart web.service") == 1)
            #expect(environment.errorOutput.stepLines(naming: "systemctl daemon-reload") == 1)
            #expect(try await property("MainPID", of: "web.service", in: testbed) != beforeEnvironment)
            #expect(try await property("Environment", of: "web.service", in: testbed) == "MODE=b")

            // The ConfigFile edited by hand is shown and restored.
            _ = try await testbed.exec(["sh", "-c", "echo GREETING=tampered > /etc/web/web.env"])
            let tampered = try await chainbot(["diff"], in: testbed)
            #expect(tampered.termination == .exited(1))
            #expect(
                tampered.output.contains("      -GREETING=tampered\n      +GREETING=bonjour\n"), "\(tampered.output)")
            #expect(try await chainbot(["apply"], in: testbed).termination == .exited(0))
            #expect(try await testbed.exec(["cat", "/etc/web/web.env"]).output == "GREETING=bonjour\n")

            // Prune: sleeper leaves the manifests.
            let withoutSleeper = Self.manifests(greeting: "bonjour", mode: "b").components(
                beforeDocumentNamed: "sleeper")
            try await write(withoutSleeper, in: testbed)
            let prune = try await chainbot(["apply", "--prune"], in: testbed)
            #expect(prune.termination == .exited(0), "\(prune.output)\n\(prune.errorOutput)")
            #expect(try await property("LoadState", of: "sleeper.service", in: testbed) == "not-found")
        }
    }

    @Test func notRootIsOneMessageAndNothingChanges() async throws {
        try await Testbed.with(name: "notroot", binds: [Fixtures.packageRoot], runner: SpawnCommandRunner()) {
            testbed in
            try await write(Self.manifests(), in: testbed)
            _ = try await testbed.exec(["chmod", "-R", "a+rX", "/srv/manifests"])
            let result = try await testbed.exec([
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", Self.binary, "apply",
                "-f", "/srv/manifests",
            ])
            #expect(result.termination == .exited(2))
            #expect(
                result.errorOutput.contains(
                    "needs root: run it as root, e.g. sudo chainbot apply; nothing was changed"),
                "\(result.output)\(result.errorOutput)")
            #expect(try await testbed.exec(["test", "-e", "/etc/web/web.env"]).termination == .exited(1))
        }
    }

    /// A Service whose port comes from its EnvironmentFile, and the Port it must listen on.
    static func portManifests(port: Int) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: web-env}
        spec:
          path: /etc/web/web.env
          env: {PORT: "\(port)"}
          notify: [Service/web]
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: web}
        spec:
          exec: /usr/bin/python3 -m http.server ${PORT} --bind 127.0.0.1 --directory /etc/web
          environmentFile: /etc/web/web.env
        ---
        apiVersion: chainbot.dev/v1
        kind: Port
        metadata: {name: web-port}
        spec:
          port: 18095
          address: 127.0.0.1
          owner: Service/web
        """
    }

    @Test func aPortIsCheckedAgainstItsOwnerAndHealedWhenTheServiceMoves() async throws {
        try await Testbed.with(name: "ports", binds: [Fixtures.packageRoot], runner: SpawnCommandRunner()) {
            testbed in
            try await write(Self.portManifests(port: 18095), in: testbed)
            let first = try await chainbot(["apply"], in: testbed)
            #expect(first.termination == .exited(0), "\(first.output)\n\(first.errorOutput)")
            #expect(try await httpStatus(18095, in: testbed) == "200")
            let clean = try await chainbot(["diff"], in: testbed)
            #expect(clean.termination == .exited(0), "\(clean.output)")

            // Moved by hand: the environment file now says 18096 and the service was restarted.
            _ = try await testbed.exec(["sh", "-c", "echo PORT=18096 > /etc/web/web.env"])
            _ = try await testbed.exec(["systemctl", "restart", "web.service"])
            #expect(try await httpStatus(18096, in: testbed) == "200")
            let drift = try await chainbot(["diff"], in: testbed)
            #expect(drift.termination == .exited(1))
            #expect(
                drift.output.contains("    listener: (nothing listening) → 127.0.0.1:18095 by web.service\n"),
                "\(drift.output)")
            #expect(drift.output.contains("-PORT=18096"), "\(drift.output)")

            // apply rewrites the file and restarts the owner once; the Port is healthy again.
            let heal = try await chainbot(["apply"], in: testbed)
            #expect(heal.termination == .exited(0), "\(heal.output)\n\(heal.errorOutput)")
            #expect(heal.errorOutput.stepLines(naming: "systemctl restart web.service") == 1, "\(heal.errorOutput)")
            #expect(try await httpStatus(18095, in: testbed) == "200")
            let healed = try await chainbot(["diff"], in: testbed)
            #expect(healed.termination == .exited(0), "\(healed.output)")

            // Something else takes the port: the Port names the intruder.
            _ = try await testbed.exec(["systemctl", "stop", "web.service"])
            _ = try await testbed.exec([
                "systemd-run", "--unit=intruder", "/usr/bin/python3", "-m", "http.server", "18095", "--bind",
                "127.0.0.1", "--directory", "/etc/web",
            ])
            _ = try await httpStatus(18095, in: testbed)
            let held = try await chainbot(["diff", "--kind", "Port"], in: testbed)
            #expect(held.termination == .exited(1))
            #expect(held.output.contains("listener: 127.0.0.1:18095 by intruder.service → "), "\(held.output)")
        }
    }

    @Test func aServiceWhoseBinaryIsMissingFailsAloneWithItsJournal() async throws {
        try await Testbed.with(name: "broken", binds: [Fixtures.packageRoot], runner: SpawnCommandRunner()) { testbed in
            let broken = """
                ---
                apiVersion: chainbot.dev/v1
                kind: Service
                metadata: {name: broken}
                spec:
                  exec: /opt/nowhere/bin/server --port 1
                """
            try await write(Self.manifests(port: 18091, extra: broken), in: testbed)
            let result = try await chainbot(["apply"], in: testbed)
            #expect(result.termination == .exited(2))
            #expect(result.errorOutput.contains("systemctl start broken.service ... FAILED"), "\(result.errorOutput)")
            // The journal's own words, so the owner sees why without another command.
            // (systemd's status=203/EXEC is always there; the executor's own line may trail it on a busy machine.)
            #expect(
                result.errorOutput.contains("Failed at step EXEC spawning /opt/nowhere/bin/server")
                    || result.errorOutput.contains("status=203/EXEC"), "\(result.errorOutput)")
            #expect(try await property("ActiveState", of: "web.service", in: testbed) == "active")
            #expect(try await property("ActiveState", of: "sleeper.service", in: testbed) == "active")
            #expect(try await httpStatus(18091, in: testbed) == "200")
            let history = try await testbed.exec([Self.binary, "history"])
            #expect(history.output.contains("partial"), "\(history.output)")
        }
    }
}

extension String {
    /// The manifests up to (not including) the document whose metadata names `name`.
    fileprivate func components(beforeDocumentNamed name: String) -> String {
        split(separator: "---\n").filter { !$0.contains("metadata: {name: \(name)}") }.joined(separator: "---\n")
    }
}
