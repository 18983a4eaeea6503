import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

@Suite("Outbox")
struct OutboxStoreTests {
    /// Records `count` distinct events, each with an outbox entry; returns the entries in order.
    private func enqueue(_ count: Int, in store: SQLiteStateStore) throws -> [OutboxEntry] {
        try (1...count).map { index in
            let event = Event(
                type: .normal, reason: "Applied", regardingKind: "Service", regardingName: "service-\(index)",
                message: "applied")
            return try #require(try store.recordEvent(event, outboxPayload: { _, key in key }).outboxEntry)
        }
    }

    @Test(arguments: StoreLocation.allCases)
    func pendingEntriesComeInEnqueueOrderUpToTheLimit(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        let entries = try enqueue(4, in: store)
        #expect(try store.pendingOutboxEntries(limit: 3) == Array(entries.prefix(3)))
        #expect(try store.pendingOutboxCount() == 4)
    }

    @Test(arguments: StoreLocation.allCases)
    func aResourcesLaterEntriesWaitBehindItsEarliestUndeliveredOne(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        func record(_ name: String, _ message: String) throws -> OutboxEntry {
            let event = Event(
                type: .normal, reason: "Applied", regardingKind: "Agent", regardingName: name, message: message)
            return try #require(try store.recordEvent(event, outboxPayload: { _, key in key }).outboxEntry)
        }
        let a1 = try record("a", "one")
        let b1 = try record("b", "one")
        let a2 = try record("a", "two")
        #expect(try store.deliverableOutboxEntries(limit: 10).map(\.id) == [a1.id, b1.id])
        try store.markFailed(a1.id, error: "HTTP 502", retryAfter: .seconds(5))
        #expect(try store.deliverableOutboxEntries(limit: 10).map(\.id) == [b1.id], "a2 must not overtake a1")
        clock.advance(by: .seconds(5))
        #expect(try store.deliverableOutboxEntries(limit: 1).map(\.id) == [a1.id])
        try store.markDelivered(a1.id)
        #expect(try store.deliverableOutboxEntries(limit: 10).map(\.id) == [b1.id, a2.id])
    }

    @Test(arguments: StoreLocation.allCases)
    func theOldestUndeliveredEntryIsFoundAlsoWhileItWaitsForItsRetry(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        let entries = try enqueue(2, in: store)
        try store.markFailed(entries[0].id, error: "connect to 127.0.0.1:9: refused", retryAfter: .seconds(30))

        #expect(try store.pendingOutboxEntries(limit: 1).map(\.id) == [entries[1].id])
        let oldest = try store.oldestUndeliveredOutboxEntry()
        #expect(oldest?.id == entries[0].id)
        #expect(oldest?.attempts == 1)
        #expect(oldest?.lastError == "connect to 127.0.0.1:9: refused")
        for entry in entries { try store.markDelivered(entry.id) }
        #expect(try store.oldestUndeliveredOutboxEntry() == nil)
    }

    @Test(arguments: StoreLocation.allCases)
    func deliveredEntryIsNoLongerPending(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let entries = try enqueue(2, in: store)
        try store.markDelivered(entries[0].id)
        try store.markDelivered(entries[0].id)  // a second mark changes nothing
        #expect(try store.pendingOutboxEntries(limit: 10).map(\.id) == [entries[1].id])
        #expect(try store.pendingOutboxCount() == 1)

        let error = #expect(throws: StoreError.self) {
            try store.markFailed(entries[0].id, error: "late", retryAfter: .zero)
        }
        #expect(error?.code == .constraint)
        let missing = #expect(throws: StoreError.self) { try store.markDelivered(999) }
        #expect(missing?.code == .notFound)
        #expect(missing?.message == "outbox entry 999 does not exist")
    }

    @Test(arguments: StoreLocation.allCases)
    func failedEntryWaitsOutItsBackoff(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let entries = try enqueue(3, in: store)

        let failed = try store.markFailed(entries[0].id, error: "HTTP 503 from ALEX OS", retryAfter: .seconds(2))
        #expect(failed.attempts == 1)
        #expect(failed.lastError == "HTTP 503 from ALEX OS")
        #expect(failed.nextAttemptAt == clock.now().advanced(by: .seconds(2)))
        #expect(try store.pendingOutboxEntries(limit: 10).map(\.id) == [entries[1].id, entries[2].id])
        #expect(try store.pendingOutboxCount() == 3, "an entry waiting to retry is still pending")

        clock.advance(by: .milliseconds(1999))
        #expect(try store.pendingOutboxEntries(limit: 10).count == 2)
        clock.advance(by: .milliseconds(1))
        #expect(try store.pendingOutboxEntries(limit: 10) == [failed, entries[1], entries[2]])

        let again = try store.markFailed(entries[0].id, error: "connection refused", retryAfter: .seconds(4))
        #expect(again.attempts == 2)
        #expect(again.lastError == "connection refused")
        #expect(again.nextAttemptAt == clock.now().advanced(by: .seconds(4)))
        clock.advance(by: .seconds(4))
        try store.markDelivered(entries[0].id)
        #expect(try store.pendingOutboxEntries(limit: 10).map(\.id) == [entries[1].id, entries[2].id])
    }

    @Test func pendingEntriesSurviveReopeningTheFile() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let entries = try enqueue(2, in: StoreLocation.file.makeStore(in: directory, clock: clock))
        let reopened = try StoreLocation.file.makeStore(in: directory, clock: clock)
        #expect(try reopened.pendingOutboxEntries(limit: 10) == entries)
    }
}
