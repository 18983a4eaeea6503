import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Testing

/// The real `chainbot agent`'s `/metrics` over loopback, checked by Prometheus's own `promtool check
/// metrics` (Debian package `prometheus`) and by the tests' strict parser.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct AgentMetricsPromtoolTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: Fixtures.exists)

    /// The agent's page once both resources have a synced sample, or a failure with the last page seen.
    static func settledPage(_ agent: AgentEndpointTests.RunningAgent) async throws -> String {
        var text = ""
        let settled = try await Poll.within(.seconds(120)) {
            text = try await agent.get("/metrics").text
            return text.contains("chainbot_resource_synced{kind=\"ConfigFile\",name=\"greeting\"} 1\n")
                && text.contains("chainbot_resource_synced{kind=\"ConfigFile\",name=\"motd\"} 1\n")
        }
        try #require(settled, "the agent's resources never showed as synced:\n\(text)")
        return text
    }

    @Test(.enabled(if: promtool != nil, "promtool is not installed (apt-get install prometheus)"))
    func aRealAgentsMetricsPassPromtoolCheckMetrics() async throws {
        let agent = try await AgentEndpointTests.RunningAgent.start()
        defer { agent.stop() }
        let text = try await Self.settledPage(agent)

        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                Self.promtool ?? "promtool", ["check", "metrics"], standardInput: Array(text.utf8),
                timeout: .seconds(120)))

        #expect(result.succeeded, "promtool: \(result.output)\(result.errorOutput)\n\(text)")
        #expect(result.output.isEmpty && result.errorOutput.isEmpty, "\(result.output)\(result.errorOutput)")
    }

    @Test func aRealAgentsMetricsParseStrictlyWithEveryFamilyAlertsNeed() async throws {
        // Port 9 (discard) on loopback: nothing listens there, deliveries fail at once.
        let agent = try await AgentEndpointTests.RunningAgent.start(extra: ["--alexos-url", "http://127.0.0.1:9"])
        defer { agent.stop() }
        let page = try AgentMetricsStrictParser(try await Self.settledPage(agent))

        for family in [
            "chainbot_resource_synced", "chainbot_resource_healthy", "chainbot_resource_sync_status",
            "chainbot_resource_health_status", "chainbot_outbox_backlog", "chainbot_outbox_pending",
            "chainbot_outbox_delivery_failures_total", "chainbot_build_info", "chainbot_host_memory_available_bytes",
            "chainbot_host_disk_free_ratio", "process_cpu_seconds_total", "process_resident_memory_bytes",
            "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds",
        ] {
            #expect(page.families[family] != nil, "\(family) is missing")
        }
        // An ALEX OS is configured (nothing answers there): the webhook channel has its samples.
        #expect(page.value("chainbot_outbox_pending", ["channel": "webhook"]) != nil)
        #expect(page.value("chainbot_outbox_delivery_failures_total", ["channel": "webhook"]) != nil)
        // The agent's own process: its start is not before the test's agent was launched a few minutes ago.
        let start = try #require(page.value("process_start_time_seconds"))
        #expect(start > Double(Timestamp.now().millisecondsSinceEpoch) / 1000 - 3600)
    }
}
