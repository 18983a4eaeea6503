import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    @Test func bindsAndReadsBackEveryStorageClass() throws {
        let database = try SQLiteDatabase(location: .memory)
        let text = "naïve \u{0}after-nul ✓"
        let row = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, e BLOB, n TEXT, f INTEGER)")
            try connection.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", Int64.max, 2.5, text, [UInt8]([0, 1, 255]), [UInt8](),
                String?.none, false)
            return try connection.queryFirst("SELECT i, d, s, b, e, n, f, typeof(e) FROM t") {
                row throws(StoreError) in
                (
                    try row.int64(at: 0), try row.double(at: 1), try row.text(at: 2), try row.blob(at: 3),
                    try row.blob(at: 4), try row.optionalText(at: 5), try row.bool(at: 6), try row.text(at: 7)
                )
            }
        }
        let values = try #require(row)
        #expect(values.0 == Int64.max)
        #expect(values.1 == 2.5)
        #expect(values.2 == text)
        #expect(values.3 == [0, 1, 255])
        #expect(values.4 == [])
        #expect(values.5 == nil)
        #expect(values.6 == false)
        #expect(values.7 == "blob", "an empty array binds as an empty blob, not NULL")
    }

    @Test func readingTheWrongStorageClassNamesTheColumn() throws {
        let database = try SQLiteDatabase(location: .memory)
        let error = #expect(throws: StoreError.self) {
            _ = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try connection.queryFirst("SELECT NULL AS spec_json") { row throws(StoreError) in
                    try row.text(at: 0)
                }
            }
        }
        #expect(error?.code == .invalidData)
        #expect(error?.message == "column 0 (spec_json) holds NULL, expected text")
    }

    @Test func transactionRollsBackWhenItsBodyThrows() throws {
        let database = try SQLiteDatabase(location: .memory)
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("CREATE TABLE t (x INTEGER)")
        }
        #expect(throws: StoreError.self) {
            try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try connection.execute("INSERT INTO t VALUES (1)")
                try connection.execute("INSERT INTO missing VALUES (1)")
            }
        }
        let count = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT COUNT(*) FROM t") { row throws(StoreError) in try row.int(at: 0) }
        }
        #expect(count == 0)
        #expect(try database.transaction { (connection: borrowing SQLiteConnection) in connection.isInTransaction })
    }

    @Test func scriptFailureNamesTheOneStatementThatFailed() throws {
        let database = try SQLiteDatabase(location: .memory)
        let error = #expect(throws: StoreError.self) {
            try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try connection.executeScript(
                    """
                    -- a comment; with a semicolon
                    CREATE TABLE a (x TEXT DEFAULT ';');
                    INSERT INTO nowhere VALUES (1);
                    CREATE TABLE b (y);
                    """)
            }
        }
        #expect(error?.statement == "INSERT INTO nowhere VALUES (1);")
        #expect(
            error?.description
                == "in-memory state database: no such table: nowhere in `INSERT INTO nowhere VALUES (1);`")
    }

    @Test func bindingTheWrongNumberOfValuesIsAnError() throws {
        let database = try SQLiteDatabase(location: .memory)
        let error = #expect(throws: StoreError.self) {
            try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try connection.execute("SELECT ?, ?", 1)
            }
        }
        #expect(error?.message == "statement has 2 placeholders but 1 values were bound")
    }

    @Test func boundValuesNeverAppearInErrors() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let database = try SQLiteDatabase(location: .path(directory.file("state.db")))
        let sentinel = "SENTINEL-hunter2-do-not-print"
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute(
                "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL CHECK (length(value) < 8))")
        }
        let error = #expect(throws: StoreError.self) {
            try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try connection.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", "token", sentinel)
            }
        }
        let rendered = try #require(error).description
        #expect(error?.code == .constraint)
        #expect(rendered.contains("INSERT INTO secrets (name, value) VALUES (?, ?)"))
        #expect(rendered.contains(directory.file("state.db")))
        #expect(!rendered.contains(sentinel))
        #expect(!String(reflecting: error).contains(sentinel))
    }

    @Test func fileDatabasesUseWriteAheadLogging() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        #expect(try SQLiteDatabase(location: .path(directory.file("state.db"))).journalMode() == "wal")
        #expect(try SQLiteDatabase(location: .memory).journalMode() == "memory")
    }

    @Test func connectionPragmasAreSet() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let database = try SQLiteDatabase(
            location: .path(directory.file("state.db")),
            configuration: SQLiteDatabase.Configuration(busyTimeout: .milliseconds(1234)))
        let pragmas = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            var values: [Int] = []
            for name in ["foreign_keys", "synchronous", "busy_timeout"] {
                values.append(
                    try connection.queryFirst("PRAGMA \(name)") { row throws(StoreError) in try row.int(at: 0) } ?? -1)
            }
            return values
        }
        #expect(pragmas == [1, 1, 1234], "foreign_keys=ON, synchronous=NORMAL (1), busy_timeout in ms")
    }

    @Test func manyTasksShareOneDatabaseSafely() async throws {
        let database = try SQLiteDatabase(location: .memory)
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("CREATE TABLE t (task INTEGER, n INTEGER)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for n in 0..<50 {
                        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
                            try connection.execute("INSERT INTO t VALUES (?, ?)", task, n)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let count = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT COUNT(*) FROM t") { row throws(StoreError) in try row.int(at: 0) }
        }
        #expect(count == 400)
    }

    @Test func twoConnectionsReadingThenWritingQueueInsteadOfFailing() async throws {
        // With a deferred BEGIN, two read-then-write transactions deadlock and one fails with SQLITE_BUSY at
        // once; BEGIN IMMEDIATE makes the second wait for the first.
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let databases = [
            try SQLiteDatabase(location: .path(path)), try SQLiteDatabase(location: .path(path)),
        ]
        try databases[0].withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
            try connection.execute("INSERT INTO counter VALUES (0)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for database in databases {
                group.addTask {
                    for _ in 0..<100 {
                        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
                            let n = try connection.queryFirst("SELECT n FROM counter") { row throws(StoreError) in
                                try row.int(at: 0)
                            }
                            try connection.execute("UPDATE counter SET n = ?", (n ?? 0) + 1)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = try databases[1].withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT n FROM counter") { row throws(StoreError) in try row.int(at: 0) }
        }
        #expect(total == 200, "no increment was lost")
    }
}
