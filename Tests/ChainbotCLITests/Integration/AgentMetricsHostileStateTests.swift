import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// `/metrics` over real HTTP on loopback from a state file whose recorded sync time no Double-to-Int
/// conversion holds: the endpoint answers, it does not trap.
struct AgentMetricsHostileStateTests {
    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "1764583200250", "-500"])
    func theLastSyncTimeFromTheStateFileIsPrintedExactly(_ recorded: String) async throws {
        let directory = TemporaryDirectory("chainbot-metrics")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        try store.setMeta("agent.lastSuccessfulSync", recorded)
        let server = try AgentEndpoint(
            store: store, statePath: directory.file("state.db"), metrics: AgentMetrics(), token: nil
        ).start(host: "127.0.0.1", port: 0)
        defer { Task { await server.stop() } }

        let response = try await HTTPClient().send(HTTPRequest(method: .get, url: server.baseURL + "/metrics"))

        #expect(response.status == 200)
        let expected: [String: String] = [
            "9223372036854775807": "9223372036854775.807", "-9223372036854775808": "-9223372036854775.808",
            "1764583200250": "1764583200.250", "-500": "-0.500",
        ]
        let text = response.text
        #expect(
            text.contains("chainbot_last_successful_sync_timestamp_seconds \(expected[recorded] ?? "")\n"), "\(text)")
    }
}
