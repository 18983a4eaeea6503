import ChainbotAlexOSSimulator
import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotDelivery
import ChainbotHTTP
import ChainbotStore
import Testing

@Suite("Events through the durable outbox to the ALEX OS simulator")
struct OutboxDeliveryTests {
    @Test func eventsWaitWhileALEXOSIsDownAndAreDeliveredOnceInOrderAfterARestart() async throws {
        try await AlexOSWorld.run { world in
            let unreachable = try AlexOSEndpoints(baseURL: "http://127.0.0.1:1")
            var store = try world.openStore()
            try await world.apply(["alpha", "beta", "gamma"].map { Agents.agent($0) }, store: store)
            try await world.apply(
                [Agents.agent("alpha", version: "2.0.0"), Agents.agent("beta")], prune: true, store: store)
            let enqueued = try store.pendingOutboxCount()
            #expect(enqueued == 5)  // 3 created, alpha updated (a manifest change, not drift), gamma pruned

            // ALEX OS is down: nothing is lost, one attempt, then the pass stops and backs off.
            let down = try await world.delivery(store, endpoints: unreachable).deliverPending()
            #expect(down.delivered == 0)
            #expect(down.failed == 1)
            #expect(down.unreachable)
            #expect(down.pending == enqueued)
            // A proxy in front of a stopped ALEX OS answers 502: the same.
            world.clock.advance(by: .seconds(10))
            await world.simulator.inject(Fault(.down, pathPrefix: "/api/webhooks"))
            let proxied = try await world.delivery(store).deliverPending()
            #expect(proxied.delivered == 0 && proxied.unreachable && proxied.pending == enqueued)
            #expect(proxied.lastError?.contains("HTTP 502") == true)
            await world.simulator.clearFaults()

            // chainbot restarts: the outbox is read back from the state file.
            store = try world.openStore()
            #expect(try store.pendingOutboxCount() == enqueued)
            // alpha's first event is backing off, so only the other resources' first events may go.
            #expect(try store.deliverableOutboxEntries(limit: 100).map(\.name) == ["beta", "gamma"])
            world.clock.advance(by: .seconds(10))
            let delivered = try await world.delivery(store).deliverPending()
            #expect(delivered.delivered == enqueued)
            #expect(delivered.pending == 0)
            let again = try await world.delivery(store).deliverPending()
            #expect(again.delivered == 0)

            let events = await world.simulator.events
            #expect(events.count == enqueued)
            #expect(events.allSatisfy { $0.deliveries == 1 })
            #expect(await world.simulator.duplicateEvents == 0)
            #expect(Set(events.compactMap(\.idempotencyKey)).count == enqueued)
            // In order per resource, as recorded.
            let alpha = events.filter { $0.body["data"]?["resource"] == .string("Agent/alpha") }
            #expect(alpha.map(\.eventType) == ["applied", "applied"])
            let messages = alpha.compactMap { $0.body["data"]?["message"] }
            #expect(messages == [.string("created"), .string("updated: version 1.0.0 → 2.0.0")])
            let pruned = events.first { $0.eventType == "pruned" }
            #expect(pruned?.body["severity"] == .string("info"))
            #expect(pruned?.body["data"]?["resource"] == .string("Agent/gamma"))
        }
    }

    @Test func aWebhookAnswering500AfterCommitIsDeliveredExactlyOnceByItsIdempotencyKey() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha"), Agents.agent("beta")], store: store)
            await world.simulator.inject(Fault(.error500AfterCommit, pathPrefix: "/api/webhooks", count: 1))
            let first = try await world.delivery(store).deliverPending()
            #expect(first.failed == 1)
            #expect(first.delivered == 1)  // the other resource's event is not held up
            world.clock.advance(by: .seconds(2))
            let second = try await world.delivery(store).deliverPending()
            #expect(second.delivered == 1)
            #expect(second.pending == 0)
            let events = await world.simulator.events
            #expect(events.count == 2)
            #expect(await world.simulator.duplicateEvents == 1)
        }
    }

    @Test func aFailedEventHoldsBackLaterEventsOfTheSameResource() async throws {
        try await AlexOSWorld.run { world in
            let store = try world.openStore()
            try await world.apply([Agents.agent("alpha")], store: store)
            try await world.apply([Agents.agent("alpha", version: "2.0.0")], store: store)
            await world.simulator.inject(Fault(.error500, pathPrefix: "/api/webhooks", count: 1))
            let first = try await world.delivery(store).deliverPending()
            #expect(first.failed == 1)
            #expect(first.delivered == 0)
            #expect(first.pending == 2)
            #expect(await world.simulator.events.isEmpty)
            world.clock.advance(by: .seconds(2))
            let second = try await world.delivery(store).deliverPending()
            #expect(second.delivered == 2)
            let types = await world.simulator.events.map(\.eventType)
            #expect(types == ["applied", "applied"])
        }
    }

    @Test func backoffDoublesFromOneSecondToFiveMinutes() {
        let waits = (1...11).map { OutboxDelivery.exponentialBackoff($0) }
        #expect(waits.prefix(4) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(waits.last == .seconds(300))
    }
}
