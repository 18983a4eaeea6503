import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotStore

/// `history` and `status` name the process that began an unfinished run and say whether it still runs:
/// alive is a run in progress, gone is a run that the next writer marks interrupted.
@Suite struct HistoryWriterPIDTests {
    /// Above the kernel's PID_MAX_LIMIT (4,194,304): no process ever has it.
    static let gonepid: Int32 = 2_147_483_646

    /// A state file with one revision begun by this process, two steps, the first one done.
    static func unfinishedRun(_ directory: TemporaryDirectory) throws -> (SQLiteStateStore, String, Int64) {
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        let now = Timestamp.now()
        let steps = ["a", "b"].map {
            RevisionStep(
                kind: "ConfigFile", name: $0, action: "write /etc/\($0)", outcome: .pending, startedAt: now,
                finishedAt: now)
        }
        let revision = try store.beginRun(RunIntent(generation: "g1", gitCommit: nil, steps: steps))
        return (store, path, revision.id)
    }

    static func setWriter(_ store: SQLiteStateStore, pid: Int32, startedAt: Int64? = nil) throws {
        try store.database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("UPDATE revisions SET writer_pid = ?", Int64(pid))
            if let startedAt { try connection.execute("UPDATE revisions SET started_at = ?", startedAt) }
        }
    }

    @Test func aRunningRevisionWhoseWriterIsAliveIsShownAsARunInProgress() async throws {
        let directory = TemporaryDirectory("chainbot-writer-alive")
        let (_, path, id) = try Self.unfinishedRun(directory)
        let pid = getpid()

        let history = await CLIHarness.run(["history", "--state", path])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains(" running "), "\(history.stdout)")
        #expect(history.stdout.contains("g1  (in progress: pid \(pid) is still running)\n"), "\(history.stdout)")
        let detail = await CLIHarness.run(["history", String(id), "--state", path])
        #expect(detail.stdout.contains("(in progress: pid \(pid) is still running)\n"), "\(detail.stdout)")
        let json = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(json.stdout.contains("\"writerPid\": \(pid),"), "\(json.stdout)")
        #expect(json.stdout.contains("\"writerAlive\": true"), "\(json.stdout)")

        let status = await CLIHarness.run(["status", "--state", path])
        #expect(
            status.stdout.contains(
                "last run: revision \(id) is running: pid \(pid) has not finished it yet (chainbot history \(id))"),
            "\(status.stdout)")
        let statusJSON = await CLIHarness.run(["status", "--state", path, "-o", "json"])
        #expect(statusJSON.stdout.contains("\"writerPid\": \(pid),"), "\(statusJSON.stdout)")
        #expect(statusJSON.stdout.contains("\"writerAlive\": true"), "\(statusJSON.stdout)")
    }

    @Test func aRunningRevisionWhoseWriterIsGoneSaysTheNextRunMarksItInterrupted() async throws {
        let directory = TemporaryDirectory("chainbot-writer-gone")
        let (store, path, id) = try Self.unfinishedRun(directory)
        try Self.setWriter(store, pid: Self.gonepid)
        let gone = "pid \(Self.gonepid) is gone (killed or crashed): the next apply or agent pass marks it interrupted"

        let history = await CLIHarness.run(["history", "--state", path])
        #expect(history.stdout.contains(" running "), "\(history.stdout)")
        #expect(history.stdout.contains("g1  (\(gone))\n"), "\(history.stdout)")
        let json = await CLIHarness.run(["history", String(id), "--state", path, "-o", "json"])
        #expect(json.stdout.contains("\"writerPid\": \(Self.gonepid),"), "\(json.stdout)")
        #expect(json.stdout.contains("\"writerAlive\": false"), "\(json.stdout)")
        let status = await CLIHarness.run(["status", "--state", path])
        #expect(
            status.stdout.contains(
                "last run: revision \(id) has not finished: pid \(Self.gonepid) is gone (killed or crashed); "
                    + "the next apply or agent pass marks it interrupted (chainbot history \(id))"),
            "\(status.stdout)")
        let statusJSON = await CLIHarness.run(["status", "--state", path, "-o", "json"])
        #expect(statusJSON.stdout.contains("\"writerAlive\": false"), "\(statusJSON.stdout)")
    }

    @Test func aLivePidThatStartedAfterTheRevisionBeganIsNotItsWriter() async throws {
        let directory = TemporaryDirectory("chainbot-writer-reused")
        let (store, path, _) = try Self.unfinishedRun(directory)
        // This process is alive, but a revision begun in 2001 cannot be its run: the pid was reused.
        try Self.setWriter(store, pid: getpid(), startedAt: 1_000_000_000_000)

        let history = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(history.stdout.contains("\"writerPid\": \(getpid()),"), "\(history.stdout)")
        #expect(history.stdout.contains("\"writerAlive\": false"), "\(history.stdout)")
    }

    @Test func anInterruptedRevisionNamesThePidThatWasKilled() async throws {
        let directory = TemporaryDirectory("chainbot-writer-interrupted")
        let (store, path, id) = try Self.unfinishedRun(directory)
        try Self.setWriter(store, pid: Self.gonepid)
        _ = try store.interruptUnfinishedRevisions()
        let killed = "pid \(Self.gonepid) was killed or stopped before it finished"

        let history = await CLIHarness.run(["history", "--state", path])
        #expect(history.stdout.contains(" interrupted "), "\(history.stdout)")
        #expect(history.stdout.contains("g1  (\(killed))\n"), "\(history.stdout)")
        let json = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(json.stdout.contains("\"writerPid\": \(Self.gonepid),"), "\(json.stdout)")
        #expect(json.stdout.contains("\"writerAlive\": null"), "\(json.stdout)")
        let status = await CLIHarness.run(["status", "--state", path])
        #expect(
            status.stdout.contains(
                "last run: revision \(id) was interrupted: \(killed) (chainbot history \(id) shows its steps)"),
            "\(status.stdout)")
    }

    @Test func aFinishedRevisionShowsItsWriterPidWithoutANote() async throws {
        let directory = TemporaryDirectory("chainbot-writer-finished")
        let (store, path, id) = try Self.unfinishedRun(directory)
        try store.finishRun(id, RunRecord(outcome: .succeeded, summaryJSON: nil))

        let history = await CLIHarness.run(["history", "--state", path])
        #expect(history.stdout.hasSuffix(" g1\n"), "\(history.stdout)")
        let json = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(json.stdout.contains("\"writerPid\": \(getpid()),"), "\(json.stdout)")
        #expect(json.stdout.contains("\"writerAlive\": null"), "\(json.stdout)")
    }
}
