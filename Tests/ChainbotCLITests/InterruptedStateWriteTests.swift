import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// A chainbot state file left with a hot journal by a writer killed mid-transaction (python3's sqlite3,
/// exiting inside one): `status` says so and what repairs it, and `apply` repairs it, as the message says.
@Suite(
    .enabled(if: Fixtures.exists("/usr/bin/python3"), "/usr/bin/python3 is not installed"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct InterruptedStateWriteTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    static let writer = """
        import os, sqlite3, sys
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA cache_size=1")
        db.execute("BEGIN")
        db.execute("CREATE TABLE junk (x BLOB)")
        for _ in range(200):
            db.execute("INSERT INTO junk VALUES (randomblob(4096))")
        os._exit(0)  # as kill -9 would: the journal stays, hot
        """

    @Test func statusNamesTheInterruptedWriteAndApplyRepairsIt() async throws {
        let work = TemporaryDirectory("chainbot-interrupted-state")
        let state = work.file("state.db")
        let manifest = work.write(
            "m.yaml",
            "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: a}\n"
                + "spec: {path: \(work.file("a.conf")), content: \"x\"}\n")
        let runner = SpawnCommandRunner()
        func chainbot(_ arguments: [String]) async throws -> CommandResult {
            try await runner.run(
                CommandInvocation(Self.binary, arguments + ["--state", state], timeout: .seconds(120)))
        }
        try #require(try await chainbot(["apply", "-f", manifest]).termination == .exited(0))
        let script = work.write("writer.py", Self.writer)
        let killed = try await runner.run(
            CommandInvocation("/usr/bin/python3", [script, state], timeout: .seconds(120)))
        try #require(killed.succeeded, "\(killed)")
        try #require(Fixtures.exists(state + "-journal"), "python3 left no journal")

        let status = try await chainbot(["status"])
        #expect(status.termination == .exited(2), "\(status)")
        #expect(status.errorOutput.contains("run chainbot apply (or start the agent) once"), "\(status.errorOutput)")
        let applied = try await chainbot(["apply", "-f", manifest])
        #expect(applied.termination == .exited(0), "\(applied.errorOutput)")
        let after = try await chainbot(["status"])
        #expect(after.termination == .exited(0), "\(after)")
    }
}
