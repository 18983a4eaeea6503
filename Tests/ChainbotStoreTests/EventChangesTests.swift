import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// Every insert and repeat of an event takes the next change number, so "what changed after N" (the
/// agent's event stream on reconnect) has one exact answer.
@Suite("Event changes")
struct EventChangesTests {
    static func event(_ name: String, reason: Event.Reason = "Applied") -> Event {
        Event(type: .normal, reason: reason, regardingKind: "ConfigFile", regardingName: name, message: "created")
    }

    @Test(arguments: StoreLocation.allCases)
    func changesAfterANumberAreTheNewAndRepeatedEventsInOrder(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        #expect(try store.latestEventSequence() == 0)
        for name in ["a", "b", "c"] { try store.recordEvent(Self.event(name), outboxPayload: nil) }
        let seen = try store.latestEventSequence()
        try store.recordEvent(Self.event("d"), outboxPayload: nil)
        try store.recordEvent(Self.event("a"), outboxPayload: nil)
        try store.recordEvent(Self.event("a"), outboxPayload: nil)

        let changes = try store.eventChanges(after: seen)
        #expect(seen == 3)
        #expect(changes.map(\.stored.event.regardingName) == ["d", "a"])
        #expect(changes.map(\.stored.count) == [1, 3])
        #expect(changes.map(\.sequence) == [4, 6])
        #expect(try store.latestEventSequence() == 6)
        #expect(try store.eventChanges(after: 0).map(\.stored.event.regardingName) == ["b", "c", "d", "a"])
        #expect(try store.eventChanges(after: 0, limit: 2).map(\.sequence) == [2, 3])
    }

    @Test func aFoldedOutboxOverflowEventIsAChangeToo() throws {
        let store = try SQLiteStateStore.inMemory()
        try store.recordEvent(Self.event("a"), outboxPayload: nil)
        let before = try store.latestEventSequence()
        // Through the upsert that folding uses: a repeat by ON CONFLICT DO UPDATE.
        try store.database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO events (type, reason, regarding_kind, regarding_name, message, count, first_seen, last_seen)
                VALUES ('Normal', 'Applied', 'ConfigFile', 'a', 'created', 1, 0, 0)
                ON CONFLICT (type, reason, regarding_kind, regarding_name, message)
                DO UPDATE SET count = count + 1, last_seen = excluded.last_seen
                """)
        }

        #expect(try store.eventChanges(after: before).map(\.stored.count) == [2])
    }

    @Test func upgradingAStateFileNumbersItsEventsByWhenTheyWereLastSeen() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let old = try SQLiteDatabase(location: .path(path))
        try old.migrate(Array(StateSchema.migrations.prefix(2)))
        try old.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            for (name, lastSeen) in [("late", 300), ("early", 100), ("middle", 200)] {
                try connection.execute(
                    """
                    INSERT INTO events (type, reason, regarding_kind, regarding_name, message, count, first_seen, last_seen)
                    VALUES ('Normal', 'Applied', 'ConfigFile', ?, 'created', 1, 0, ?)
                    """, name, lastSeen)
            }
        }
        let store = try SQLiteStateStore.open(path: path)
        try store.recordEvent(Self.event("new"), outboxPayload: nil)

        let changes = try store.eventChanges(after: 0)
        #expect(changes.map(\.stored.event.regardingName) == ["early", "middle", "late", "new"])
        #expect(changes.map(\.sequence) == [1, 2, 3, 4])
    }
}
