import ChainbotAlexOSSimulator
import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders
import ChainbotTestSupport
import Synchronization
import Testing

@Suite("Severity and the health report as ALEX OS receives them")
struct SeverityTests {
    static func target(url: String, severity: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: WatchtowerTarget
        metadata: {name: alexos-health}
        spec:
          type: http
          target: \(url)
          timeout: 2s
          expect: {jsonStatus: ok}
          thresholds: {failures: 1}
          severity: \(severity)

        """
    }

    @Test(arguments: ["info", "warning", "error", "critical"])
    func aWatchtowerTargetThatTurnsDegradedReachesALEXOSWithItsOwnSeverity(_ severity: String) async throws {
        let answer = Mutex("ok")
        let probed = try HTTPServer { _ in .json(.object([("status", .string(answer.withLock { $0 }))])) }
        defer { Task { await probed.stop() } }
        try await AlexOSWorld.run { world in
            let work = world.directory
            let manifests = work.write(
                "manifests/target.yaml", Self.target(url: probed.baseURL + "/health", severity: severity))
            let targets = work.write("watchtower/targets.yaml", "targets: []\n")
            let arguments = [
                "apply", "-f", manifests, "--state", world.statePath, "--watchtower-targets", targets,
                "--alexos-url", world.server.baseURL,
            ]
            let environment = ["CHAINBOT_WATCHTOWER_RELOAD": "/usr/bin/touch " + work.file("reloaded")]
            let healthy = await CLIHarness.run(arguments, environment: environment)
            #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")

            answer.withLock { $0 = "degraded" }
            let degraded = await CLIHarness.run(arguments, environment: environment)
            #expect(degraded.stderr.contains("delivered to ALEX OS"), "\(degraded.stdout)\(degraded.stderr)")
            let received = await world.simulator.events
            let event = try #require(
                received.first { $0.eventType == "health_changed" }, "\(received.map(\.eventType))")
            #expect(event.body["severity"] == .string(severity))
            #expect(event.body["requires_attention"] == .bool(severity != "info"))
            #expect(
                event.body["data"]?["resource"] == .string("WatchtowerTarget/alexos-health"))
        }
    }

    @Test func theHealthReportCarriesTheSeedsFieldsTheProblemsAndTheHighestSeverity() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            let now = world.clock.now()
            func status(_ kind: String, _ name: String, _ sync: ResourceStatus.Sync, _ health: Health, _ why: String)
                -> ResourceStatus
            {
                ResourceStatus(
                    kind: kind, name: name, sync: sync, health: health,
                    conditions: [
                        Condition(
                            type: "Synced", status: sync == .synced, reason: "r", message: why, lastTransitionTime: now),
                        Condition(
                            type: "Healthy", status: health == .healthy, reason: Condition.Reason(health), message: why,
                            lastTransitionTime: now),
                    ], updatedAt: now)
            }
            let statuses = [
                status("Service", "chainbot", .synced, .healthy, "matches the manifests"),
                status("WatchtowerTarget", "alexos-health", .synced, .degraded, "GET /health says 'degraded'"),
                status("Agent", "chainbot", .unknown, .unknown, "cannot observe version: no version listed"),
            ]
            let report = HealthReport(
                statuses: statuses, manifestProblem: nil, agentVersion: "0.1.0",
                severities: ["WatchtowerTarget/alexos-health": .critical])
            report.record(in: store, toAlexOS: true)
            let delivered = try await world.delivery(store).deliverPending()
            #expect(delivered.delivered == 1)

            let received = await world.simulator.events
            let body = try #require(received.first { $0.eventType == "health_report" }?.body)
            #expect(body["severity"] == .string("critical"))
            #expect(body["requires_attention"] == .bool(true))
            let data = try #require(body["data"])
            #expect(data["agent_name"] == .string("chainbot"))
            #expect(data["agent_version"] == .string("0.1.0"))
            #expect(data["status_id"] == .string("degraded"))
            #expect(data["requires_attention"] == .bool(true))
            #expect(
                data["attention_reason"]
                    == .string(
                        "needs attention: WatchtowerTarget/alexos-health; unknown: Agent/chainbot "
                            + "(Agent/chainbot: cannot observe version: no version listed)"))
            #expect(data["synced"] == .int(2))
            #expect(data["unknown"] == .int(1))
            let resources = try #require(data["resources"]?.array)
            let shown = resources.map { item in
                ["resource", "sync", "health", "severity", "reason"].map { key in
                    item[key].flatMap(\.string) ?? "-"
                }.joined(separator: " | ")
            }
            #expect(
                shown == [
                    "WatchtowerTarget/alexos-health | Synced | Degraded | critical | GET /health says 'degraded'",
                    "Agent/chainbot | Unknown | Unknown | warning | cannot observe version: no version listed",
                ])
        }
    }
}
