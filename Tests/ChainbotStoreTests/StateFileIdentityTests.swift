import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// A state file is chainbot's by its `application_id`; anything else is refused before a byte changes.
@Suite("State file identity")
struct StateFileIdentityTests {
    /// Another application's database: a `notes` table, rollback journal, `user_version` 7.
    static func makeForeignDatabase(at path: String) throws {
        try SQLiteDatabase(location: .path(path)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            try connection.execute("INSERT INTO notes (body) VALUES ('buy milk')")
            try connection.execute("PRAGMA user_version = 7")
        }
    }

    /// A state file as an earlier chainbot left it: schema `version`, no `application_id`, rollback journal.
    static func makeEarlierStateFile(at path: String, version: Int) throws {
        let database = try SQLiteDatabase(location: .path(path))
        try database.migrate(Array(StateSchema.migrations.prefix(version)))
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute(
                "INSERT INTO resource_status (kind, name, sync, health, updated_at) VALUES (?, ?, ?, ?, ?)",
                "ConfigFile", "motd", "Synced", "Healthy", Int64(1_700_000_000_000))
        }
    }

    static func pragma(_ name: String, of path: String) throws -> Int {
        try SQLiteDatabase(location: .path(path), mode: .readOnly(expectedVersion: nil)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try connection.queryFirst("PRAGMA \(name)") { row throws(StoreError) in try row.int(at: 0) } ?? -1
        }
    }

    @Test func foreignDatabaseIsRefusedByBothOpensAndLeftByteForByte() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("notes.db")
        try Self.makeForeignDatabase(at: path)
        let before = try #require(Fixtures.read(path))

        let writing = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        let reading = #expect(throws: StoreError.self) { try SQLiteStateStore.openReadOnly(path: path) }
        let expected =
            "state file \(path) is not a chainbot state file (application_id 0x00000000, tables: notes); nothing was changed"
        #expect(writing?.code == .notChainbot)
        #expect(writing?.description == expected)
        #expect(reading?.description == expected)
        #expect(Fixtures.read(path) == before)
        #expect(Fixtures.list(directory.path, hidden: true) == ["notes.db"])
    }

    @Test func foreignApplicationIDIsRefusedEvenWithChainbotsTables() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("state.db")
        try Self.makeEarlierStateFile(at: path, version: 4)
        try SQLiteDatabase(location: .path(path)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute("PRAGMA application_id = 1234")
        }
        let before = try #require(Fixtures.read(path))
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .notChainbot)
        #expect(error?.message.hasPrefix("application_id 0x000004D2, tables: events, outbox,") == true)
        #expect(Fixtures.read(path) == before)
    }

    @Test func freshStateFileCarriesChainbotsApplicationID() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        #expect(try Self.pragma("application_id", of: path) == 0x4348_4E42)
        // Files of earlier chainbots are recognized by these tables: a migration that adds one must list it.
        let tables = try store.database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'") {
                row throws(StoreError) in try row.text(at: 0)
            }
        }
        #expect(Set(tables).isSubset(of: StateFileIdentity.tables))
    }

    @Test func earlierChainbotsFileIsReadAsItIsAndAdoptedOnlyByAWritingOpen() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("state.db")
        try Self.makeEarlierStateFile(at: path, version: 4)
        let before = try #require(Fixtures.read(path))

        let reader = try SQLiteStateStore.openReadOnly(path: path)
        #expect(try reader.allStatus().map(\.name) == ["motd"])
        #expect(Fixtures.read(path) == before, "a read-only open stamps nothing")

        let writer = try SQLiteStateStore.open(path: path)
        #expect(try writer.allStatus().map(\.name) == ["motd"])
        #expect(try Self.pragma("application_id", of: path) == 0x4348_4E42)
    }

    @Test func newerSchemaIsRefusedBeforeTheJournalModeChanges() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("state.db")
        try Self.makeEarlierStateFile(at: path, version: 4)
        try SQLiteDatabase(location: .path(path)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute("PRAGMA application_id = \(StateFileIdentity.applicationID)")
            try connection.execute("PRAGMA user_version = 9")
        }
        let before = try #require(Fixtures.read(path))
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(
            error?.description
                == "state file \(path) has schema version 9; this chainbot knows up to \(SQLiteStateStore.schemaVersion): upgrade chainbot"
        )
        #expect(Fixtures.read(path) == before)
        #expect(Fixtures.list(directory.path, hidden: true) == ["state.db"])
    }

    @Test func readOnlyOpenOfAnOlderSchemaReadsWhatItHasAndNamesTheUpgradeForTheRest() throws {
        let directory = TemporaryDirectory("chainbot-store-identity")
        let path = directory.file("state.db")
        try Self.makeEarlierStateFile(at: path, version: 2)
        let before = try #require(Fixtures.read(path))

        let reader = try SQLiteStateStore.openReadOnly(path: path)
        #expect(try reader.allStatus().map(\.name) == ["motd"])
        #expect(try reader.suspensions(at: Timestamp(millisecondsSinceEpoch: 0)).isEmpty)
        let error = #expect(throws: StoreError.self) { try reader.allPending() }
        #expect(error?.code == .schemaTooOld)
        #expect(
            error?.description
                == "state file \(path) has schema version 2, older than this chainbot's \(SQLiteStateStore.schemaVersion): run chainbot apply to upgrade \(path)"
        )
        #expect(Fixtures.read(path) == before)

        _ = try SQLiteStateStore.open(path: path)
        #expect(try Self.pragma("user_version", of: path) == SQLiteStateStore.schemaVersion)
        #expect(try SQLiteStateStore.openReadOnly(path: path).allPending().isEmpty)
    }
}
