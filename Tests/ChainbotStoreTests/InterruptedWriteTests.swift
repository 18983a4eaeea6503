import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Testing

/// A state file whose writer was killed in the middle of a write with a rollback journal (chainbot's first
/// write, the switch to write-ahead logging, is one): a read-only open cannot roll the hot journal back,
/// so it says so and what repairs it, instead of SQLite's "attempt to write a readonly database". The
/// hot journal is made by Python's own sqlite3 module, a writer we did not write, exiting mid-transaction.
@Suite(.enabled(if: Fixtures.exists("/usr/bin/python3"), "/usr/bin/python3 is not installed"))
struct InterruptedWriteTests {
    static let writer = """
        import os, sqlite3, sys
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA cache_size=1")
        db.execute("CREATE TABLE t (x BLOB)")
        db.execute("BEGIN")
        for _ in range(200):
            db.execute("INSERT INTO t VALUES (randomblob(4096))")
        db.execute("COMMIT")
        db.execute("BEGIN")
        db.execute("UPDATE t SET x = randomblob(4096)")
        os._exit(0)  # as kill -9 would: the journal stays, hot
        """

    @Test func aHotJournalIsAnInterruptedWriteThatAReadOnlyOpenNamesAndLeavesAlone() async throws {
        let directory = TemporaryDirectory("chainbot-interrupted-write")
        let path = directory.file("state.db")
        let script = directory.write("writer.py", Self.writer)
        let result = try await SpawnCommandRunner().run(
            CommandInvocation("/usr/bin/python3", [script, path], timeout: .seconds(120)))
        try #require(result.succeeded, "\(result)")
        try #require(Fixtures.exists(path + "-journal"), "python3 left no journal")
        let journal = Fixtures.read(path + "-journal")

        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.openReadOnly(path: path) }
        #expect(error?.code == .interruptedWrite)
        #expect(
            error?.description.contains("run chainbot apply (or start the agent) once") == true,
            "\(String(describing: error))")
        #expect(Fixtures.read(path + "-journal") == journal, "the read-only open changed the journal")
    }
}
