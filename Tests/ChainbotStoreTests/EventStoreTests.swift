import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

@Suite("Events")
struct EventStoreTests {
    static let drift = Event(
        type: .warning, reason: "DriftDetected", regardingKind: "Service", regardingName: "watchtower",
        message: "ExecStart differs from the manifest", generation: "g1")

    @Test(arguments: StoreLocation.allCases)
    func repeatedEventCountsInsteadOfRepeating(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let first = try store.recordEvent(Self.drift, outboxPayload: nil)
        clock.advance(by: .seconds(30))
        var later = Self.drift
        later.generation = "g2"
        let second = try store.recordEvent(later, outboxPayload: nil)

        #expect(first.isNew)
        #expect(!second.isNew)
        #expect(second.stored.id == first.stored.id)
        #expect(second.stored.count == 2)
        #expect(second.stored.firstSeen == first.stored.firstSeen)
        #expect(second.stored.lastSeen == first.stored.lastSeen.advanced(by: .seconds(30)))
        #expect(second.stored.event.generation == "g2")
        #expect(try store.events(since: first.stored.firstSeen) == [second.stored])
    }

    @Test(arguments: StoreLocation.allCases)
    func eventsDifferingInAnyKeyFieldAreSeparate(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        var variants = [Self.drift]
        variants.append(modifying(Self.drift) { $0.type = .normal })
        variants.append(modifying(Self.drift) { $0.reason = "Applied" })
        variants.append(modifying(Self.drift) { $0.regardingKind = "Port" })
        variants.append(modifying(Self.drift) { $0.regardingName = "chainbot" })
        variants.append(modifying(Self.drift) { $0.message = "unit file differs" })
        for event in variants {
            #expect(try store.recordEvent(event, outboxPayload: nil).isNew)
        }
        // The generation is not part of the key: a later generation counts the same event again.
        #expect(try !store.recordEvent(modifying(Self.drift) { $0.generation = nil }, outboxPayload: nil).isNew)
        let stored = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
        #expect(stored.map(\.count) == [2, 1, 1, 1, 1, 1])
        #expect(stored.first?.event.generation == "g1", "an occurrence without a generation keeps the known one")
    }

    @Test(arguments: StoreLocation.allCases)
    func eventsSinceReturnsOnlyRecentOnesOldestFirst(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        try store.recordEvent(modifying(Self.drift) { $0.message = "old" }, outboxPayload: nil)
        clock.advance(by: .seconds(60))
        let cutoff = clock.now()
        try store.recordEvent(modifying(Self.drift) { $0.message = "newer" }, outboxPayload: nil)
        clock.advance(by: .seconds(1))
        try store.recordEvent(modifying(Self.drift) { $0.message = "newest" }, outboxPayload: nil)
        clock.advance(by: .seconds(1))
        // Seen again: moves to the end, since it is now the most recently seen.
        try store.recordEvent(modifying(Self.drift) { $0.message = "old" }, outboxPayload: nil)

        #expect(try store.events(since: cutoff).map(\.event.message) == ["newer", "newest", "old"])
        #expect(try store.events(since: clock.now().advanced(by: .seconds(1))).isEmpty)
    }

    @Test(arguments: StoreLocation.allCases)
    func eachOccurrenceEnqueuesOneEntryWithItsOwnKey(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let render = { (event: StoredEvent, key: String) in
            #"{"idempotency_key":"\#(key)","count":\#(event.count)}"#
        }
        let first = try store.recordEvent(Self.drift, outboxPayload: render)
        let second = try store.recordEvent(Self.drift, outboxPayload: render)
        let unsent = try store.recordEvent(Self.drift, outboxPayload: nil)

        let firstEntry = try #require(first.outboxEntry)
        let secondEntry = try #require(second.outboxEntry)
        #expect(unsent.outboxEntry == nil)
        #expect(unsent.stored.count == 3)
        #expect(firstEntry.idempotencyKey != secondEntry.idempotencyKey)
        #expect(firstEntry.idempotencyKey.hasSuffix("-\(first.stored.id)-1"))
        #expect(secondEntry.payloadJSON == #"{"idempotency_key":"\#(secondEntry.idempotencyKey)","count":2}"#)
        #expect(firstEntry.eventID == first.stored.id)
        #expect((firstEntry.kind, firstEntry.name) == ("Service", "watchtower"))
        #expect(firstEntry.attempts == 0 && firstEntry.nextAttemptAt == clock.now() && firstEntry.isPending)
        #expect(try store.pendingOutboxEntries(limit: 10) == [firstEntry, secondEntry])
    }

    @Test func idempotencyKeysDifferBetweenStateFiles() throws {
        let first = try SQLiteStateStore.inMemory(now: ManualClock().now)
        let second = try SQLiteStateStore.inMemory(now: ManualClock().now)
        let render = { (_: StoredEvent, key: String) in key }
        let a = try first.recordEvent(Self.drift, outboxPayload: render).outboxEntry
        let b = try second.recordEvent(Self.drift, outboxPayload: render).outboxEntry
        #expect(a?.idempotencyKey != nil)
        #expect(a?.idempotencyKey != b?.idempotencyKey, "a recreated state file must not reuse old keys")
    }

    private func modifying(_ event: Event, _ change: (inout Event) -> Void) -> Event {
        var copy = event
        change(&copy)
        return copy
    }
}
