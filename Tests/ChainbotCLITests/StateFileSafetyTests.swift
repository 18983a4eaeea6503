import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotStore

/// The state file is chainbot's or it is refused untouched; commands that only read never write it, and
/// read it on a read-only filesystem too. Real SQLite files, the CLI run in-process.
@Suite struct StateFileSafetyTests {
    static let manifest = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd, content: "hello\\n"}
        """

    /// A work directory with an image root and a manifest; returns the `-f` and `--root` arguments.
    static func world(_ work: TemporaryDirectory) -> [String] {
        work.write("image/etc/.keep", "")
        return ["-f", work.write("manifests/motd.yaml", manifest), "--root", work.file("image")]
    }

    @Test func foreignDatabaseIsRefusedByEveryCommandAndLeftByteForByte() async throws {
        let work = TemporaryDirectory("chainbot-foreign-state")
        let world = Self.world(work)
        let path = work.file("state/notes.db")
        #expect(mkdir(work.file("state"), 0o700) == 0)
        // Another application's database: a notes table, a rollback journal, user_version 7.
        try SQLiteDatabase(location: .path(path)).withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            try connection.execute("INSERT INTO notes (body) VALUES ('buy milk')")
            try connection.execute("PRAGMA user_version = 7")
        }
        let before = try #require(Fixtures.read(path))
        let refusal =
            "state file \(path) is not a chainbot state file (application_id 0x00000000, tables: notes); nothing was changed"

        let commands: [[String]] = [
            ["diff"] + world, ["status"], ["get", "ConfigFile/motd"], ["events"], ["history"], ["apply"] + world,
        ]
        for command in commands {
            let run = await CLIHarness.run(command + ["--state", path], environment: ["NO_COLOR": "1"])
            #expect(run.status == 2, "\(command[0]): \(run.stderr)")
            #expect(run.stderr.contains(refusal), "\(command[0]): \(run.stderr)")
            #expect(Fixtures.read(path) == before, "\(command[0]) changed the file")
            // No journal, no write-ahead log, no lock file: the directory holds the file and nothing else.
            #expect(Fixtures.list(work.file("state"), hidden: true) == ["notes.db"], "\(command[0])")
        }
        #expect(Fixtures.readText(work.file("image/etc/motd")) == nil, "apply changed the host")
    }

    @Test(.enabled(if: geteuid() == 0, "only root mounts a read-only filesystem"))
    func readingCommandsReadAStateFileOnAReadOnlyFilesystem() async throws {
        let work = TemporaryDirectory("chainbot-readonly-state")
        let world = Self.world(work)
        let written = work.file("written/state.db")
        let applied = await CLIHarness.run(["apply", "--state", written] + world, environment: ["NO_COLOR": "1"])
        try #require(applied.status == 0, "\(applied.stderr)")
        let bytes = try #require(Fixtures.read(written))
        try #require(!Fixtures.exists(written + "-wal"), "apply leaves its write-ahead log checkpointed")

        let mountPoint = work.file("ro")
        #expect(mkdir(mountPoint, 0o755) == 0)
        try #require(mount("tmpfs", mountPoint, "tmpfs", 0, "size=8m,mode=0755") == 0, "mount: \(errno)")
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        let path = mountPoint + "/state.db"
        try #require(Fixtures.write(path, bytes))
        try #require(mount(nil, mountPoint, nil, UInt(MS_REMOUNT | MS_RDONLY), nil) == 0, "remount: \(errno)")
        try #require(access(mountPoint, W_OK) != 0, "the mount is read-only")

        let environment = ["NO_COLOR": "1"]
        let status = await CLIHarness.run(["status", "--state", path], environment: environment)
        // Exit 1: a resource just applied is Progressing until the next sync looks again.
        #expect(status.status == 1, "\(status.stderr)")
        #expect(status.stdout.contains("agent: not running"), "\(status.stdout)")
        #expect(status.stdout.contains("ConfigFile/motd     Synced     Progressing"), "\(status.stdout)")
        let get = await CLIHarness.run(["get", "ConfigFile/motd", "--state", path], environment: environment)
        #expect(get.status == 0, "\(get.stderr)")
        #expect(get.stdout.contains("sync: Synced"), "\(get.stdout)")
        let history = await CLIHarness.run(["history", "--state", path], environment: environment)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("\n1    "), "\(history.stdout)")
        let events = await CLIHarness.run(["events", "--state", path], environment: environment)
        #expect(events.status == 0, "\(events.stderr)")
        #expect(events.stdout.contains("HealthReport"), "\(events.stdout)")
        let diff = await CLIHarness.run(["diff", "--state", path] + world, environment: environment)
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("1 unchanged."), "\(diff.stdout)")
        #expect(Fixtures.list(mountPoint, hidden: true) == ["state.db"])
    }

    @Test func readingCommandsLeaveAnOlderSchemaAsItIsAndApplyUpgradesIt() async throws {
        let work = TemporaryDirectory("chainbot-old-state")
        let world = Self.world(work)
        let path = work.file("state.db")
        // A state file of schema version 1, as a chainbot before application_id left it.
        let database = try SQLiteDatabase(location: .path(path))
        try database.migrate(Array(StateSchema.migrations.prefix(1)))
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA journal_mode=DELETE")
            try connection.execute(
                "INSERT INTO resource_status (kind, name, sync, health, updated_at) VALUES (?, ?, ?, ?, ?)",
                "ConfigFile", "motd", "Synced", "Healthy", Int64(1_700_000_000_000))
        }
        let before = try #require(Fixtures.read(path))
        let upgrade =
            "state file \(path) has schema version 1, older than this chainbot's \(SQLiteStateStore.schemaVersion): "
            + "run chainbot apply to upgrade \(path)"

        for command in [["status"], ["history"]] {
            let run = await CLIHarness.run(command + ["--state", path], environment: ["NO_COLOR": "1"])
            #expect(run.status == 2, "\(command[0]): \(run.stdout)")
            #expect(run.stderr.contains(upgrade), "\(command[0]): \(run.stderr)")
        }
        let events = await CLIHarness.run(["events", "--state", path], environment: ["NO_COLOR": "1"])
        #expect(events.status == 0, "what an older file has is read: \(events.stderr)")
        #expect(Fixtures.read(path) == before, "reading changed the file")

        let applied = await CLIHarness.run(["apply", "--state", path] + world, environment: ["NO_COLOR": "1"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let upgraded = try SQLiteStateStore.openReadOnly(path: path)
        let (version, applicationID) = try upgraded.database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            (try connection.userVersion(), try StateFileIdentity.applicationID(connection))
        }
        #expect(version == SQLiteStateStore.schemaVersion)
        #expect(applicationID == 0x4348_4E42)
        let status = await CLIHarness.run(["status", "--state", path], environment: ["NO_COLOR": "1"])
        #expect(status.status == 1, "\(status.stderr)")
        #expect(status.stdout.contains("ConfigFile/motd"), "\(status.stdout)")
    }

    @Test(arguments: [["--listen", "bogus"], ["--listen", "0.0.0.0:9100"]])
    func agentWithAUsageErrorCreatesNothing(_ usageError: [String]) async throws {
        let work = TemporaryDirectory("chainbot-agent-usage")
        let world = Self.world(work)
        let directory = work.file("state")
        #expect(mkdir(directory, 0o700) == 0)
        let run = await CLIHarness.run(
            ["agent", "--state", directory + "/state.db"] + usageError + world.prefix(2),
            environment: ["NO_COLOR": "1"])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(Fixtures.list(directory, hidden: true) == [])
    }

    @Test func statusCreatesNoLockFileBesideTheStateFile() async throws {
        let work = TemporaryDirectory("chainbot-status-locks")
        let world = Self.world(work)
        let path = work.file("state/state.db")
        let applied = await CLIHarness.run(["apply", "--state", path] + world, environment: ["NO_COLOR": "1"])
        try #require(applied.status == 0, "\(applied.stderr)")
        let status = await CLIHarness.run(["status", "--state", path], environment: ["NO_COLOR": "1"])
        #expect(status.status == 1, "\(status.stderr)")
        #expect(!Fixtures.exists(path + ".agent.lock"))
    }
}
