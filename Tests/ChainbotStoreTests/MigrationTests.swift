import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

@Suite("Migrations")
struct MigrationTests {
    @Test func freshFileGetsTheLatestSchemaWithEveryTable() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        let (version, tables) = try store.database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            (
                try connection.userVersion(),
                try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                    row throws(StoreError) in try row.text(at: 0)
                }
            )
        }
        #expect(version == 5)
        #expect(SQLiteStateStore.schemaVersion == 5)
        #expect(
            tables == [
                "events", "outbox", "pending_steps", "resource_status", "resources", "revision_steps", "revisions",
                "sqlite_sequence", "store_meta", "suspensions",
            ])
    }

    @Test func reopeningMigratesNothingAndKeepsTheData() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let first = try SQLiteStateStore.open(path: path)
        try first.recordApplied(.sample(name: "chainbot"))
        let second = try SQLiteStateStore.open(path: path)
        let previousVersion = try second.database.migrate(StateSchema.migrations)
        #expect(previousVersion == 5)
        #expect(second.instanceID == first.instanceID)
        #expect(try second.allApplied().map(\.name) == ["chainbot"])
    }

    @Test func newerSchemaIsRefusedWithAnUpgradeHint() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        try SQLiteDatabase(location: .path(path)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA user_version = 7")
        }
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .schemaTooNew)
        #expect(
            error?.description
                == "state file \(path) has schema version 7; this chainbot knows up to 5: upgrade chainbot")
    }

    @Test func migrationsRunInOrderAndOnlyOnce() throws {
        let database = try SQLiteDatabase(location: .memory)
        let migrations = [
            SQLiteMigration(
                version: 1, summary: "log", sql: "CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (1);"),
            SQLiteMigration(version: 2, summary: "more", sql: "INSERT INTO log VALUES (2)"),
        ]
        #expect(try database.migrate(Array(migrations.prefix(1))) == 0)
        #expect(try database.migrate(migrations) == 1)
        #expect(try database.migrate(migrations) == 2)
        let log = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query("SELECT n FROM log ORDER BY rowid") { row throws(StoreError) in try row.int(at: 0) }
        }
        #expect(log == [1, 2])
    }

    @Test func failingMigrationLeavesTheSchemaAsItWas() throws {
        let database = try SQLiteDatabase(location: .memory)
        let migrations = [
            SQLiteMigration(version: 1, summary: "ok", sql: "CREATE TABLE a (x)"),
            SQLiteMigration(version: 2, summary: "ok", sql: "CREATE TABLE c (z)"),
            SQLiteMigration(version: 3, summary: "broken", sql: "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1)"),
        ]
        try database.migrate(Array(migrations.prefix(1)))
        // Versions 2 and 3 are one transaction: the failure of 3 takes 2 back too.
        let error = #expect(throws: StoreError.self) { try database.migrate(migrations) }
        #expect(error?.statement == "INSERT INTO nowhere VALUES (1)")
        let (version, tables) = try database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            (
                try connection.userVersion(),
                try connection.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                    row throws(StoreError) in try row.text(at: 0)
                }
            )
        }
        #expect(version == 1)
        #expect(tables == ["a"])
    }
}

extension AppliedResource {
    /// A last-applied record with the given name and plausible values elsewhere.
    static func sample(
        kind: String = "Service", name: String, spec: String = #"{"enabled":true}"#, generation: String = "abc123",
        at millisecondsSinceEpoch: Int64 = 1_700_000_000_000, createdByChainbot: Bool = true
    ) -> AppliedResource {
        AppliedResource(
            kind: kind, name: name, specJSON: spec, specHash: "sha256:\(spec.utf8.count)", generation: generation,
            appliedAt: Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch), createdByChainbot: createdByChainbot)
    }
}
