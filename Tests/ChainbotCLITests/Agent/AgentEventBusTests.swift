import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotDelivery
import ChainbotHTTP
import ChainbotStore
import ChainbotTestSupport
import Synchronization
import Testing

@testable import ChainbotCLI

/// The agent's event bus client over a real state file and the ALEX OS simulator's bus over loopback:
/// the outbox in order, once, through dropped connections; requests from the bus passed on; the rest
/// ignored and counted.
@Suite struct AgentEventBusTests {
    /// A state file, the simulator, and the bus client between them.
    final class World: Sendable {
        let directory = TemporaryDirectory("chainbot-bus")
        let store: SQLiteStateStore
        let simulator: AlexOSSimulatorServer
        let bus: AgentEventBus
        let requests = RequestLog()

        init() throws {
            store = try SQLiteStateStore.open(path: directory.file("state.db"))
            simulator = try AlexOSSimulatorServer()
            let requests = requests
            let url = try WebSocketURL(parsing: "ws://127.0.0.1:\(simulator.port)/ws/events")
            var settings = EventBusChannel.Settings(url: url)
            // Reconnect at once after a drop: the test is about what arrives, not about the pause.
            settings.backoff = { _ in .milliseconds(50) }
            bus = AgentEventBus(
                settings: settings, store: store, statePath: directory.file("state.db"), soleChannel: false,
                onRequest: { id in requests.ids.withLock { $0.append(id) } }, log: { _ in })
            try bus.start()
        }

        func stop() async {
            await bus.stop()
            await simulator.stop(grace: .milliseconds(100))
        }

        /// Records an `Applied` event about `ConfigFile/name` with its webhook envelope in the outbox.
        @discardableResult
        func record(_ name: String) throws -> OutboxEntry? {
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Applied", regardingKind: "ConfigFile", regardingName: name,
                    message: "written"),
                outboxPayload: { stored, key in EventEnvelope.render(stored, idempotencyKey: key) }
            ).outboxEntry
        }

        var keysInOutbox: [String] { ((try? store.outboxEntries(after: 0, limit: 10_000)) ?? []).map(\.idempotencyKey) }
        var keysOnBus: [String] { simulator.simulator.bus.received.compactMap(\.idempotencyKey) }
        var cursor: Int64? { try? store.channelCursor(AgentEventBus.channelName) }
    }

    @Test func twoHundredEventsReachTheBusOnceInOutboxOrderAndTheCursorFollowsTheBusConfirmation() async throws {
        let world = try World()
        #expect(try await Poll.within(.seconds(120)) { world.bus.counters.isConnected })
        var recordedAt: [String: ContinuousClock.Instant] = [:]
        for index in 0..<200 {
            let entry = try #require(try world.record("e\(index)"))
            recordedAt[entry.idempotencyKey] = .now
        }
        let arrived = try await Poll.within(.seconds(120)) { world.keysOnBus.count >= 200 && world.cursor == 200 }
        await world.stop()

        #expect(arrived, "\(world.keysOnBus.count) on the bus, cursor \(String(describing: world.cursor))")
        #expect(world.keysOnBus == world.keysInOutbox)
        #expect(world.simulator.simulator.bus.duplicates == 0)
        #expect(world.bus.counters.published == 200)
        let envelope = try #require(world.simulator.simulator.bus.received.first?.body)
        #expect(envelope["event_type"]?.string == "applied")
        #expect(envelope["source"]?.string == "chainbot")
        #expect(envelope["data"]?["resource"]?.string == "ConfigFile/e0")
        let latencies = world.simulator.simulator.bus.received.compactMap { message in
            message.idempotencyKey.flatMap { recordedAt[$0] }.map { message.receivedAt - $0 }
        }.sorted()
        if latencies.count == 200 {
            print(
                "event bus: event → bus latency over 200 events: median \(latencies[100]), p99 \(latencies[198])")
        }
    }

    @Test func aConnectionDroppedBeforeAMessageIsReadIsReopenedAndEveryEventArrivesOnce() async throws {
        let world = try World()
        for index in 0..<20 { try world.record("a\(index)") }
        #expect(try await Poll.within(.seconds(120)) { world.cursor == 20 })
        // The next message read ends the TCP connection without a close frame, before the bus keeps it.
        world.simulator.simulator.bus.inject(Fault(.drop, count: 1))
        for index in 0..<20 { try world.record("b\(index)") }
        let arrived = try await Poll.within(.seconds(120)) { world.cursor == 40 }
        await world.stop()

        #expect(arrived, "cursor \(String(describing: world.cursor)), \(world.keysOnBus.count) on the bus")
        #expect(world.keysOnBus == world.keysInOutbox)
        #expect(world.simulator.simulator.bus.duplicates == 0)
        #expect(world.simulator.simulator.bus.connections == 2)
        #expect(world.bus.counters.connections == 2)
        #expect(world.bus.counters.published == 40)
    }

    @Test func aConnectionDroppedAfterTheBusKeptAMessageSendsItAgainWithItsKeyAndTheBusKeepsItOnce() async throws {
        let world = try World()
        #expect(try await Poll.within(.seconds(120)) { world.bus.counters.isConnected })
        world.simulator.simulator.bus.inject(Fault(.dropAfterCommit, count: 1))
        for index in 0..<10 { try world.record("c\(index)") }
        let arrived = try await Poll.within(.seconds(120)) { world.cursor == 10 }
        await world.stop()

        #expect(arrived, "cursor \(String(describing: world.cursor)), \(world.keysOnBus.count) on the bus")
        #expect(world.keysOnBus == world.keysInOutbox)
        // The kept message was unconfirmed when the connection ended: it went again, the bus dropped it by key.
        #expect(world.simulator.simulator.bus.duplicates == 1)
        #expect(world.bus.counters.published == 10)
    }

    @Test func aReconcileRequestIsPassedOnAndMessagesNotForChainbotAreIgnoredAndCounted() async throws {
        let world = try World()
        #expect(try await Poll.within(.seconds(120)) { world.simulator.simulator.bus.openConnections == 1 })
        let bus = world.simulator.simulator.bus
        bus.push(#"{"event_type":"agent_status","data":{"agent":"watchtower"}}"#)
        bus.push(#"{"event_type":"reconcile_request","target":"watchtower","data":{"resource":"Agent/chainbot"}}"#)
        bus.push(#"{"event_type":"reconcile_request","data":{"resource":"NoSuchKind/x"}}"#)
        bus.push("not json")
        bus.push(#"{"event_type":"reconcile_request","target":"chainbot","data":{"resource":"Agent/chainbot"}}"#)
        let passed = try await Poll.within(.seconds(120)) {
            world.requests.ids.withLock { !$0.isEmpty } && world.bus.counters.ignoredMessages == 4
        }
        await world.stop()

        #expect(passed, "ignored \(world.bus.counters.ignoredMessages)")
        #expect(world.requests.ids.withLock { $0 } == [ResourceID(.agent, "chainbot")])
        #expect(world.bus.counters.reconcileRequests == 1)
    }
}

/// `event-bus-url:` in the agent's configuration file and `--event-bus-url` on its command line.
@Suite struct AgentEventBusConfigurationTests {
    static func parse(_ arguments: [String]) throws -> Result<WebSocketURL?, UsageError> {
        let agent = AgentCommand.command
        let given = try Arguments(arguments, valued: agent.valued, switches: agent.switches)
        let context = CommandContext(stdout: .buffer(), stderr: .buffer(), environment: [:])
        return AgentCommand.parse(given, context).map(\.1.eventBus)
    }

    @Test func theConfigurationFilesKeyIsTheBusAndTheFlagWins() throws {
        let directory = TemporaryDirectory("chainbot-bus-config")
        let config = directory.write("config.yaml", "event-bus-url: ws://127.0.0.1:8000/ws/events\n")
        let fromFile = try Self.parse(["--config", config]).get()
        let fromFlag = try Self.parse(["--config", config, "--event-bus-url", "ws://[::1]:9000/bus"]).get()

        #expect(fromFile?.description == "ws://127.0.0.1:8000/ws/events")
        #expect(fromFlag?.description == "ws://[::1]:9000/bus")
        #expect(try Self.parse(["--config", directory.write("empty.yaml", "")]).get() == nil)
    }

    @Test func aWssOrHTTPURLIsAUsageErrorNamingIt() throws {
        for url in ["wss://127.0.0.1/ws/events", "http://127.0.0.1:8000/ws/events", "ws://"] {
            guard case .failure(let error) = try Self.parse(["--event-bus-url", url]) else {
                Issue.record("\(url) was taken")
                continue
            }
            #expect(error.message.hasPrefix("--event-bus-url \(url): "), "\(error.message)")
        }
    }
}

/// The resources the bus client was asked to reconcile, in order.
final class RequestLog: Sendable {
    let ids = Mutex<[ResourceID]>([])
}
