import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// Another process writing the same state file: the CLI's `apply` next to the agent, or `sqlite3` by hand.
@Suite("A second process writing the state file", .enabled(if: LockHolder.python3 != nil, "python3 is not on PATH"))
struct ConcurrentWriterTests {
    @Test func writerWaitsForAnotherProcessInsteadOfFailing() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        let holder = try LockHolder(databasePath: path, holdSeconds: 1.0)

        let clock = ContinuousClock()
        let started = clock.now
        try store.recordApplied(.sample(name: "chainbot"))
        let waited = started.duration(to: clock.now)

        #expect(holder.wait() == 0)
        #expect(waited >= .milliseconds(500), "the write went through after \(waited), while the lock was held")
        #expect(waited < .seconds(5))
        #expect(try store.allApplied().map(\.name) == ["chainbot"])
        let pythonRow = try store.database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT value FROM store_meta WHERE key = 'python'") {
                row throws(StoreError) in try row.text(at: 0)
            }
        }
        #expect(pythonRow == "was here", "the other process's transaction committed too")
    }

    @Test func shortBusyTimeoutGivesALockedErrorNamingTheFile() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(
            path: path, configuration: SQLiteDatabase.Configuration(busyTimeout: .milliseconds(100)))
        let holder = try LockHolder(databasePath: path, holdSeconds: 1.0)
        let sentinel = "SENTINEL-secret-spec-value"

        let error = #expect(throws: StoreError.self) {
            try store.recordApplied(.sample(name: "chainbot", spec: #"{"token":"\#(sentinel)"}"#))
        }

        #expect(holder.wait() == 0)
        #expect(error?.code == .busy)
        #expect(error?.isRetryable == true)
        #expect(
            error?.description
                == "state file \(path) is locked by another writer (database is locked; busy timeout 100 ms)")
        #expect(error?.description.contains(sentinel) == false)
        #expect(try store.allApplied().isEmpty)
    }
}
