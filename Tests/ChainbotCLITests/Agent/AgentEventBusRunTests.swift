import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotHTTP
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A real `chainbot agent` with `event-bus-url:` against the ALEX OS simulator's bus (events arrive once,
/// in order, through a dropped connection; a `reconcile_request` triggers a pass) and against a bus the
/// project did not write (Debian's python3-websockets, `contrib/event-bus-server.py`).
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct AgentEventBusRunTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    static let agentName = "bus-test"

    /// Manifests for two ConfigFiles and an ALEX OS Agent, and a configuration that publishes on `bus`.
    static func configure(
        _ directory: TemporaryDirectory, bus: String, alexOS: String?, files: [String] = ["one", "two"]
    ) -> String {
        let documents = files.map { name in
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: \(name)}
            spec: {path: \(directory.file(name + ".txt")), content: "\(name)\\n"}
            """
        }
        let agent = """
            apiVersion: chainbot.dev/v1
            kind: Agent
            metadata: {name: \(agentName)}
            spec: {version: "1.0.0", capabilities: [chat]}
            """
        _ = directory.write(
            "manifests/all.yaml", (documents + (alexOS == nil ? [] : [agent])).joined(separator: "\n---\n"))
        return directory.write(
            "config.yaml",
            """
            filename: [\(directory.file("manifests"))]
            state: \(directory.file("state.db"))
            resync: 1h
            listen: "off"
            event-bus-url: \(bus)
            """ + (alexOS.map { "\nalexos-url: \($0)\n" } ?? "\n"))
    }

    static func keys(_ bus: AlexOSBus) -> [String] { bus.received.compactMap(\.idempotencyKey) }

    @Test func theAgentPublishesEachEventOnceInOrderThroughADropAndARequestedPassReRegistersItsAgent() async throws {
        let directory = TemporaryDirectory("chainbot-bus-run")
        let server = try AlexOSSimulatorServer()
        defer { Task { await server.stop(grace: .milliseconds(100)) } }
        let bus = server.simulator.bus
        // The first event the agent publishes ends the connection before the bus reads it.
        bus.inject(Fault(.drop, count: 1))
        let config = Self.configure(
            directory, bus: "ws://127.0.0.1:\(server.port)/ws/events", alexOS: server.baseURL)
        let agent = try DetachedProcess.launch(
            Self.binary, ["agent", "--config", config], logPath: directory.file("agent.log"))
        defer { agent.stop() }
        let log = { Fixtures.readText(directory.file("agent.log")) ?? "" }
        let webhookKeys = { await server.simulator.events.compactMap(\.idempotencyKey) }
        // The webhook is the other channel of the same outbox: both get the same events, in the same order.
        let same = try await Poll.within(.seconds(120)) {
            let webhook = await webhookKeys()
            return webhook.count >= 3 && Self.keys(bus) == webhook
        }
        let webhook = await webhookKeys()
        #expect(same, "bus \(Self.keys(bus)), webhook \(webhook): \(log())")
        #expect(bus.duplicates == 0)
        #expect(bus.connections >= 2, "the drop made the agent reconnect")
        #expect(bus.received.first?.body?["source"]?.string == "chainbot")

        let registry = try await HTTPClient().send(
            HTTPRequest(method: .delete, url: server.baseURL + "/api/agents/\(Self.agentName)"))
        #expect(registry.status == 200)
        let sent = bus.push(
            #"{"event_type":"reconcile_request","target":"chainbot","data":{"resource":"Agent/\#(Self.agentName)"}}"#)
        #expect(sent == 1)
        // The resync is an hour away and nothing watches the registry: only the request brings it back.
        #expect(
            try await Poll.within(.seconds(120)) {
                await server.simulator.agents.contains { $0.name == Self.agentName }
            }, "\(log())")
        #expect(log().contains("event bus: reconcile_request for Agent/\(Self.agentName)"))

        // SIGHUP with another bus URL keeps the running connection and says a restart is needed.
        let connections = bus.connections
        _ = Self.configure(directory, bus: "ws://127.0.0.1:1/elsewhere", alexOS: server.baseURL)
        kill(agent.pid, SIGHUP)
        #expect(
            try await Poll.within(.seconds(120)) { log().contains("SIGHUP: a new event-bus-url needs a restart") },
            "\(log())")
        #expect(bus.connections == connections && bus.openConnections == 1)
    }

    @Test(.enabled(if: AgentWebSocketClient.isAvailable, "needs /usr/bin/python3 with python3-websockets"))
    func theAgentPublishesOnABusServedByPythonWebsockets() async throws {
        let directory = TemporaryDirectory("chainbot-bus-python")
        let busLog = directory.file("bus.log")
        let python = try DetachedProcess.launch(
            AgentWebSocketClient.python, [Fixtures.path("contrib/event-bus-server.py")], logPath: busLog)
        defer { python.stop() }
        let lines = { (Fixtures.readText(busLog) ?? "").split(separator: "\n").map(String.init) }
        #expect(try await Poll.within(.seconds(120)) { lines().contains { $0.hasPrefix("listening ") } })
        let port = try #require(lines().first { $0.hasPrefix("listening ") }.flatMap { Int($0.dropFirst(10)) })
        // No ALEX OS webhook: the bus is the outbox's only channel.
        let config = Self.configure(directory, bus: "ws://127.0.0.1:\(port)/ws/events", alexOS: nil)
        let agent = try DetachedProcess.launch(
            Self.binary, ["agent", "--config", config], logPath: directory.file("agent.log"))
        defer { agent.stop() }
        let messages = {
            lines().filter { $0.hasPrefix("message 1 ") }.compactMap {
                try? JSONValue(parsing: String($0.dropFirst(10)))
            }
        }
        let applied = { messages().filter { $0["event_type"]?.string == "applied" } }
        #expect(
            try await Poll.within(.seconds(120)) { applied().count >= 2 },
            "bus: \(lines().suffix(5)), agent: \(Fixtures.readText(directory.file("agent.log")) ?? "")")
        let resources = Set(applied().compactMap { $0["data"]?["resource"]?.string })
        #expect(resources == ["ConfigFile/one", "ConfigFile/two"])
        let keys = messages().compactMap { $0["data"]?["idempotency_key"]?.string }
        #expect(Set(keys).count == keys.count, "no event twice: \(keys)")
        #expect(messages().allSatisfy { $0["source"]?.string == "chainbot" && $0["severity"]?.string != nil })
    }
}
