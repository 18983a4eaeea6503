import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotTestSupport
import Testing

/// The agent's own conditions reach a client, not only its status page: with ALEX OS down (its URL a
/// port nothing listens on), the real agent's `/api/v1/status`, `chainbot status -o json` over the same
/// state file and `chainbot status` all say "ALEX OS unreachable", with the delivery error.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct AgentConditionsTests {
    @Test func anUnreachableAlexOSIsAConditionInTheAPIAndInStatus() async throws {
        let closed = try ClosedTCPPort()
        let agent = try await AgentEndpointTests.RunningAgent.start(extra: [
            "--alexos-url", "http://127.0.0.1:\(closed.port)",
        ])
        defer { agent.stop() }
        let unreachable = { (status: JSONValue?) in
            status?["conditions"]?.array?.first { $0["type"]?.string == "alexOSUnreachable" }
        }
        var api: JSONValue?
        let seen = try await Poll.within(.seconds(120)) {
            api = try? JSONValue(parsing: try await agent.get("/api/v1/status").text)
            return unreachable(api) != nil
        }
        #expect(seen, "\(api.map { $0.serialized(pretty: true) } ?? "no status")")
        let condition = unreachable(api)
        #expect(condition?["severity"]?.string == "failing")
        #expect(condition?["title"]?.string == "ALEX OS unreachable")
        #expect(
            condition?["detail"]?.string?.contains("127.0.0.1:\(closed.port)") == true,
            "\(String(describing: condition))")

        let state = agent.directory.file("state.db")
        let json = await CLIHarness.run(["status", "-o", "json", "--state", state])
        let status = try JSONValue(parsing: json.stdout)
        #expect(unreachable(status)?["title"]?.string == "ALEX OS unreachable", "\(json.stdout)")
        let text = await CLIHarness.run(["status", "--state", state])
        #expect(text.stdout.contains("ALEX OS unreachable: "), "\(text.stdout)")
    }
}
