import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// The shipped unit's sandbox (contrib/systemd/chainbot-agent.service): how `systemd-analyze security` rates
/// it, and that the agent still does every kind of change under it in the testbed.
@Suite struct AgentUnitHardeningTests {
    static let shippedUnit = Fixtures.path("contrib/systemd/chainbot-agent.service")

    /// The exposure the unit reaches (docs/security.md): a change that loosens the sandbox fails here.
    static let maximumExposure = 2.9

    static var systemdAnalyze: String? {
        ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { access($0, X_OK) == 0 }
    }

    /// The number in `→ Overall exposure level for NAME: 3.2 OK 🙂`.
    static func overallExposure(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
    }

    @Test(.enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed (apt-get install systemd)"))
    func systemdAnalyzeRatesTheShippedUnitAtMostItsRecordedExposure() async throws {
        let analyze = try #require(Self.systemdAnalyze)
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(analyze, ["security", "--no-pager", "--offline=true", Self.shippedUnit]))
        let exposure = try #require(
            Self.overallExposure(result.output), "no overall exposure in: \(result.output)\(result.errorOutput)")
        #expect(exposure <= Self.maximumExposure, "\(result.output)")
        // A misspelled or unknown setting is ignored by systemd with a warning, and so would silently be no sandbox.
        #expect(!result.errorOutput.contains("chainbot-agent.service:"), "\(result.errorOutput)")
    }

    static func manifests(firewall backend: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: Host
        metadata: {name: pi}
        spec:
          hostname: hardened-pi
          throttling: {}
          bootConfig:
            all:
              dtparam: [audio=on]
        ---
        apiVersion: chainbot.dev/v1
        kind: Firewall
        metadata: {name: pi}
        spec: {backend: \(backend), defaultInput: accept, managementPorts: [5420]}
        ---
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: module-env}
        spec:
          path: /opt/alexos/modules/hardened/.env
          env: {GREETING: hello}
          notify: [Service/hardened-web]
        ---
        apiVersion: chainbot.dev/v1
        kind: Service
        metadata: {name: hardened-web}
        spec:
          exec: /usr/bin/python3 -m http.server 18099 --bind 127.0.0.1 --directory /opt/alexos/modules/hardened
          environmentFile: /opt/alexos/modules/hardened/.env
        ---
        apiVersion: chainbot.dev/v1
        kind: Port
        metadata: {name: hardened-http}
        spec: {port: 18099, owner: Service/hardened-web}

        """
    }

    /// A stand-in for the Pi's `vcgencmd`: it opens /dev/vchiq read-write as the real one does, then answers.
    static let fakeVcgencmd = """
        #!/bin/sh
        exec 3<>/dev/vchiq || exit 1
        echo throttled=0x0

        """

    /// Prepares a Pi-like testbed (config.txt, a /dev/vchiq, vcgencmd) and starts the agent under the shipped
    /// unit; returns false, having recorded why, when it did not start.
    private func startAgent(in testbed: Testbed, firewall backend: String) async throws -> Bool {
        try await testbed.writeFile("/boot/firmware/config.txt", "# the Pi's boot config\n")
        // Any character device outside the pseudo devices will do: DeviceAllow= must let this one through.
        _ = try await testbed.exec(["mknod", "-m", "0600", "/dev/vchiq", "c", "10", "200"])
        try await testbed.writeFile("/usr/local/bin/vcgencmd", Self.fakeVcgencmd)
        _ = try await testbed.exec(["chmod", "0755", "/usr/local/bin/vcgencmd"])
        try await testbed.writeFile("/srv/manifests/pi.yaml", Self.manifests(firewall: backend))
        try await testbed.copyIn(Testbed.chainbotBinary, to: AgentInTestbedTests.installed)
        try await testbed.writeFile("/etc/systemd/system/chainbot-agent.service", try AgentInTestbedTests.unit())
        _ = try await testbed.exec(["systemctl", "daemon-reload"])
        let started = try await testbed.exec(["systemctl", "start", "chainbot-agent.service"], timeout: .seconds(300))
        if started.succeeded { return true }
        let log = try await Self.journal(in: testbed)
        Issue.record("the agent did not start: \(started.errorOutput)\(log)")
        return false
    }

    private static func journal(in testbed: Testbed) async throws -> String {
        try await testbed.exec(["journalctl", "--no-pager", "-o", "cat", "-u", "chainbot-agent"]).output
    }

    private func chainbot(_ arguments: [String], in testbed: Testbed) async throws -> String {
        try await testbed.exec([Testbed.chainbotBinary] + arguments + ["--state", "/var/lib/chainbot/state.db"])
            .output
    }

    /// The firewall the agent loaded, as the backend lists it.
    private func firewall(_ backend: String, in testbed: Testbed) async throws -> String {
        let argv = backend == "ufw" ? ["ufw", "status"] : ["nft", "list", "table", "inet", "chainbot"]
        let result = try await testbed.exec(argv)
        return result.output + result.errorOutput
    }

    @Test(
        .enabled(
            if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
        .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"),
        arguments: ["nftables", "ufw"])
    func underTheShippedUnitTheAgentSetsTheHostnameWritesFilesStartsAUnitAndLoadsTheFirewall(backend: String)
        async throws
    {
        let tool = backend == "ufw" ? "/usr/sbin/ufw" : "/usr/sbin/nft"
        guard access(tool, X_OK) == 0 else {
            print("skipped for \(backend): \(tool) is not installed")
            return
        }
        try await Testbed.with(name: "hardened", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            guard try await startAgent(in: testbed, firewall: backend) else { return }
            let unit = "chainbot-agent.service"
            // The sandbox is the one in force, not ignored by this systemd.
            #expect(try await testbed.unitProperty("ProtectProc", of: unit) == "invisible")
            #expect(try await testbed.unitProperty("PrivateDevices", of: unit) == "yes")
            #expect(try await testbed.unitProperty("SystemCallFilter", of: unit) != "")

            // The first pass ran before READY=1: every kind of change is done.
            #expect(try await testbed.exec(["cat", "/proc/sys/kernel/hostname"]).output == "hardened-pi\n")
            #expect(try await testbed.exec(["cat", "/etc/hostname"]).output == "hardened-pi\n")
            let config = try await testbed.exec(["cat", "/boot/firmware/config.txt"]).output
            #expect(config.contains("dtparam=audio=on"), "\(config)")
            #expect(try await testbed.exec(["cat", "/opt/alexos/modules/hardened/.env"]).output == "GREETING=hello\n")
            #expect(try await testbed.unitProperty("ActiveState", of: "hardened-web.service") == "active")
            let rules = try await firewall(backend, in: testbed)
            #expect(rules.contains("5420"), "\(rules)")

            // The Port's owner is seen through /proc/PID/fd (ProtectProc=invisible with CAP_SYS_PTRACE), the
            // firewall's watchdog, in a scope of its own, confirmed instead of reverting, and vcgencmd could
            // open its device.
            let synced = try await Poll.within(.seconds(60)) {
                let status = try await chainbot(["status"], in: testbed)
                return ["Port/hardened-http", "Firewall/pi", "Host/pi"].allSatisfy { name in
                    status.split(separator: "\n").contains { $0.contains(name) && $0.contains("Synced") }
                }
            }
            let status = try await chainbot(["status"], in: testbed)
            #expect(synced, "\(status)")
            let host = try await chainbot(["get", "Host/pi"], in: testbed)
            #expect(!host.contains("throttling unknown"), "\(host)")
            let events = try await chainbot(["events", "-o", "json"], in: testbed)
            #expect(!events.contains("FirewallReverted"), "\(events)")

            // libdispatch's event thread got its nice value (LimitNICE=), so no start logs the EACCES, where
            // this host's PID 1 could give the agent that limit at all.
            let pid = try await testbed.unitProperty("MainPID", of: unit)
            let limits = try await testbed.exec(["cat", "/proc/\(pid)/limits"]).output
            let nice = limits.split(separator: "\n").first { $0.hasPrefix("Max nice priority") }
            if nice?.split(separator: " ").contains("24") == true {
                let log = try await Self.journal(in: testbed)
                #expect(!log.contains("Failed to set thread priority"), "\(log)")
            } else {
                print("not checked: PID 1 could not raise RLIMIT_NICE here (no CAP_SYS_RESOURCE): \(nice ?? "")")
            }
        }
    }
}
