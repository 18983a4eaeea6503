import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// On a read-only filesystem SQLite opens the state file `immutable=1` and does not read a `-wal` beside
/// it: commands that read say so on standard error, name the file, and still succeed. A real tmpfs
/// remounted read-only, real SQLite files.
@Suite struct ReadOnlyWriteAheadLogTests {
    /// A finished run of generation `generation`.
    static func run(_ store: SQLiteStateStore, _ generation: String) throws {
        let revision = try store.beginRun(RunIntent(generation: generation, gitCommit: nil, steps: []))
        try store.finishRun(revision.id, RunRecord(outcome: .succeeded, summaryJSON: nil))
    }

    /// The bytes of a state file with revision g1 checkpointed, and of the `-wal` a live writer of
    /// revision g2 has beside it, copied while that writer still has the file open.
    static func liveWriteAheadLog(_ work: TemporaryDirectory) throws -> (database: [UInt8], log: [UInt8]) {
        let path = work.file("written/state.db")
        do { try run(try SQLiteStateStore.open(path: path), "g1") }
        try #require(!Fixtures.exists(path + "-wal"), "closing the first writer checkpoints its log")
        let writer = try SQLiteStateStore.open(path: path)
        try run(writer, "g2")
        let database = try #require(Fixtures.read(path))
        let log = try #require(Fixtures.read(path + "-wal"))
        try #require(log.count > 32, "the second run's commits are in the log")
        _ = try writer.revisions(limit: 1)
        return (database, log)
    }

    @Test(.enabled(if: geteuid() == 0, "only root mounts a read-only filesystem"))
    func readingCommandsWarnThatAWriteAheadLogTheyCannotReadHidesTheLastCommits() async throws {
        let work = TemporaryDirectory("chainbot-readonly-wal")
        let (database, log) = try Self.liveWriteAheadLog(work)
        let mountPoint = work.file("ro")
        #expect(mkdir(mountPoint, 0o755) == 0)
        try #require(mount("tmpfs", mountPoint, "tmpfs", 0, "size=8m,mode=0755") == 0, "mount: \(errno)")
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        let path = mountPoint + "/state.db"
        try #require(Fixtures.write(path, database))
        try #require(mount(nil, mountPoint, nil, UInt(MS_REMOUNT | MS_RDONLY), nil) == 0, "remount: \(errno)")
        let warning =
            "warning: state file \(path) has a write-ahead log (\(path)-wal) from a writer that did not finish; "
            + "its last commits are not shown until chainbot runs where the file is writable\n"

        // Without a log there is nothing to warn about.
        let clean = await CLIHarness.run(["history", "--state", path])
        #expect(clean.status == 0 && clean.stderr.isEmpty, "\(clean.stderr)")

        try #require(mount(nil, mountPoint, nil, UInt(MS_REMOUNT), nil) == 0, "remount: \(errno)")
        try #require(Fixtures.write(path + "-wal", log))
        try #require(mount(nil, mountPoint, nil, UInt(MS_REMOUNT | MS_RDONLY), nil) == 0, "remount: \(errno)")

        let history = await CLIHarness.run(["history", "--state", path])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stderr == "chainbot history: " + warning)
        #expect(history.stdout.contains(" g1\n") && !history.stdout.contains("g2"), "\(history.stdout)")
        let json = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(
            json.status == 0 && json.stdout.hasPrefix("{\n  \"schemaVersion\": 1,\n  \"revisions\": ["),
            "\(json.stdout)")
        #expect(json.stderr == "chainbot history: " + warning)
        for command in [["status"], ["status", "-o", "json"], ["get", "ConfigFile/none"]] {
            let run = await CLIHarness.run(command + ["--state", path])
            #expect(run.stderr.hasPrefix("chainbot: " + warning), "\(command): \(run.stderr)")
        }
        let status = await CLIHarness.run(["status", "--state", path])
        #expect(status.status == 0, "\(status.stderr)")
        let events = await CLIHarness.run(["events", "--state", path])
        #expect(events.status == 0, "\(events.stderr)")
        #expect(events.stderr == "chainbot events: " + warning)
        #expect(Fixtures.list(mountPoint, hidden: true) == ["state.db", "state.db-wal"])
    }

    @Test func aReadOnlyOpenWhereTheFileIsWritableReadsTheLogAndDoesNotWarn() throws {
        let work = TemporaryDirectory("chainbot-readable-wal")
        let (database, log) = try Self.liveWriteAheadLog(work)
        let path = work.file("copy/state.db")
        try #require(mkdir(work.file("copy"), 0o700) == 0)
        try #require(Fixtures.write(path, database) && Fixtures.write(path + "-wal", log))

        let store = try SQLiteStateStore.openReadOnly(path: path)
        #expect(store.readWarnings.isEmpty)
        #expect(try store.revisions(limit: 10).map(\.generation) == ["g2", "g1"])
    }
}
