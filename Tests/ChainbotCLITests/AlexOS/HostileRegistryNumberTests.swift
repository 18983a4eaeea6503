import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// Numbers in a registry's listing come from the network: none of them may stop chainbot.
@Suite("Registry numbers no Int holds")
struct HostileRegistryNumberTests {
    /// The recorded registration with `port` replaced by `port`'s JSON text.
    static func listing(port: String) -> [UInt8] {
        Array(
            """
            {"agents": [{"id": 7, "agent_name": "chainbot", "agent_version": "0.3.0", "role": "orchestrator",
            "capabilities": ["monitoring", "chat"], "ui_features": ["dashboard"],
            "endpoints": ["/health", "/api/chat"], "port": \(port), "health_endpoint": "/health"}]}
            """.utf8)
    }

    @Test(arguments: ["1e19", "-1e19", "9223372036854775808"])
    func aPortNoIntHoldsIsDriftShownAsTheRegistryWroteIt(port: String) async throws {
        let body = Self.listing(port: port)
        let server = try HTTPServer { request in
            guard request.method == .get, request.path == "/api/agents/canon" else {
                return .text("Not Found", status: 404)
            }
            return HTTPResponse(headers: ["Content-Type": "application/json"], body: body)
        }
        defer { Task { await server.stop() } }
        try await AlexOSWorld.run { world in
            let prepared = try await RegistryReplyTests.prepare(
                [RegistryReplyTests.chainbot(version: "0.3.0")],
                endpoints: try AlexOSEndpoints(baseURL: server.baseURL), world: world)
            #expect(prepared.failures.isEmpty)
            let plan = try #require(prepared.plan.resources.first)
            let change = try #require(plan.changes.first { $0.facet == "port" })
            #expect(change.to == .word("9000"))
            guard case .word(let shown) = change.from else {
                Issue.record("port observed as \(change.from)")
                return
            }
            #expect(shown != "9000")
            #expect(shown.lowercased().contains("e"))
        }
    }
}
