import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// `chainbot history` and `status` for a run that was killed: the revision is `interrupted` once the next
/// run found it, and its steps without an outcome say so.
@Suite struct HistoryInterruptedTests {
    @Test func anInterruptedRevisionAndItsUnrecordedStepsAreShownAsSuch() async throws {
        let directory = TemporaryDirectory("chainbot-history-interrupted")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        let now = Timestamp.now()
        let steps = ["a", "b"].map {
            RevisionStep(
                kind: "ConfigFile", name: $0, action: "write /etc/\($0)", outcome: .pending, startedAt: now,
                finishedAt: now)
        }
        let revision = try store.beginRun(RunIntent(generation: "g1", gitCommit: nil, steps: steps))
        var first = steps[0]
        first.outcome = .succeeded
        try store.recordStepOutcomes([(seq: 1, step: first)], revision: revision.id)

        let running = await CLIHarness.run(["history", "--state", path])
        #expect(running.stdout.contains(" running "), "\(running.stdout)")
        let unfinished = await CLIHarness.run(["status", "--state", path])
        #expect(
            unfinished.stdout.contains(
                "last run: revision \(revision.id) is running: pid \(getpid()) has not finished it yet"),
            "\(unfinished.stdout)")
        _ = try store.interruptUnfinishedRevisions()
        let status = await CLIHarness.run(["status", "--state", path])
        #expect(status.stdout.contains("last run: revision \(revision.id) was interrupted"), "\(status.stdout)")
        let statusJSON = await CLIHarness.run(["status", "--state", path, "-o", "json"])
        #expect(statusJSON.stdout.contains("\"outcome\": \"interrupted\""), "\(statusJSON.stdout)")

        let list = await CLIHarness.run(["history", "--state", path])
        #expect(list.status == 0)
        let row = try #require(list.stdout.split(separator: "\n").last)
        #expect(row.hasPrefix("\(revision.id)    ") && row.contains(" interrupted "), "\(list.stdout)")
        let detail = await CLIHarness.run(["history", String(revision.id), "--state", path])
        #expect(
            detail.stdout.hasSuffix(
                "  1. ConfigFile/a: write /etc/a — succeeded\n"
                    + "  2. ConfigFile/b: write /etc/b — pending (no outcome recorded: the run was interrupted)\n"),
            "\(detail.stdout)")
        let json = await CLIHarness.run(["history", "--state", path, "-o", "json"])
        #expect(json.stdout.contains("\"outcome\": \"interrupted\""), "\(json.stdout)")
    }
}
