import ChainbotCore
import ChainbotTestSupport
import Testing

/// A rollback applies a recorded revision, not a commit: its revision records no git commit.
@Suite struct RollbackGitCommitTests {
    @Test func aRollbacksRevisionRecordsNoGitCommit() async throws {
        let work = TemporaryDirectory("chainbot-rollback-commit")
        work.write("image/etc/.keep", "")
        let root = work.file("image")
        let state = work.file("state.db")
        let manifests = work.write("manifests/motd.yaml", PinCLITests.manifest("first"))
        let common = ["--root", root, "-f", manifests, "--state", state]
        #expect(await CLIHarness.run(["apply"] + common).status == 0)
        work.write("manifests/motd.yaml", PinCLITests.manifest("second"))
        #expect(await CLIHarness.run(["apply"] + common).status == 0)
        let rollback = await CLIHarness.run(["rollback", "1", "--no-pin", "--root", root, "--state", state])
        #expect(rollback.status == 0, "\(rollback.stderr)")

        let history = await CLIHarness.run(["history", "3", "-o", "json", "--state", state])
        #expect(history.status == 0, "\(history.stderr)")
        let revision = try JSONValue(parsing: history.stdout)
        #expect(revision["revision"]?.int == 3)
        #expect(revision["generation"]?.string?.hasPrefix("rollback-1-") == true, "\(history.stdout)")
        #expect(revision["gitCommit"] == .null, "\(history.stdout)")
    }
}
