import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// An idle agent pass writes one thing (issue 15): its `agent.lastSync` stamps, one page appended to the
/// state file's write-ahead log, not every resource's status again.
@Suite struct AgentIdlePassWritesTests {
    static let binary = ApplyKillTests.binary

    /// The agent's last-sync stamp, read as `chainbot status` reads it (nil until the first pass).
    static func lastSync(_ state: String) -> String? {
        guard Fixtures.exists(state) else { return nil }
        return (try? SQLiteStateStore.openReadOnly(path: state).meta(.agentLastSync)) ?? nil
    }

    /// Waits (up to 60 s) for a pass to stamp something other than `after`; the new stamp, or nil.
    static func nextPass(_ state: String, after: String?) async throws -> String? {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if let stamp = lastSync(state), stamp != after { return stamp }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func anIdleAgentPassAppendsOnePageToTheLogAndNothingElse() async throws {
        let work = TemporaryDirectory("chainbot-agent-idle")
        let root = work.path
        let manifest = work.write("m.yaml", ApplyKillTests.manifest(prefix: root))
        let state = ApplyKillTests.statePath(root)
        let converge = await CLIHarness.run(["apply", "-f", manifest, "--state", state])
        try #require(converge.status == 0, "\(converge.stdout)\n\(converge.stderr)")
        let pageSize = try SQLiteStateStore.openReadOnly(path: state).database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> Int? in
            try connection.queryFirst("PRAGMA page_size") { (row) throws(StoreError) in try row.int(at: 0) }
        }
        let frame = 24 + (pageSize ?? 0)

        let log = work.file("agent.log")
        let agent = try KillableChild(
            Self.binary, ["agent", "-f", manifest, "--state", state, "--listen", "off", "--resync", "1s"],
            errorFile: log)
        defer { agent.killAndWait(SIGTERM) }
        // The first passes may still record what they found; from the third on the agent is idle.
        var stamp: String?
        for _ in 1...3 {
            stamp = try await Self.nextPass(state, after: stamp)
            try #require(stamp != nil, "no agent pass within 60 s: \(Fixtures.readText(log) ?? "")")
        }
        // A starved test may see two passes as one, so the passes are counted from their stamps: the
        // agent passes at most once a second (--resync 1s, nothing else triggers one), so the passes
        // between the two WAL reads are at most the seconds between the stamps around them, plus one.
        let first = Int64(stamp ?? "") ?? 0
        let before = Fixtures.read(state + "-wal")?.count ?? 0
        for _ in 1...2 {
            stamp = try await Self.nextPass(state, after: stamp)
            try #require(stamp != nil, "no agent pass within 60 s: \(Fixtures.readText(log) ?? "")")
        }
        let grown = (Fixtures.read(state + "-wal")?.count ?? 0) - before
        let last = Int64(Self.lastSync(state) ?? "") ?? 0
        let passes = Int((last - first) / 1000) + 1
        #expect(grown % frame == 0, "idle passes appended \(grown) bytes, not whole pages (a frame is \(frame))")
        #expect(
            grown >= 2 * frame && grown <= passes * frame,
            "\(grown / frame) pages in at least 2 and at most \(passes) idle passes (\(last - first) ms)")
        #expect(Fixtures.readText(ApplyKillTests.filePath(root, 3)) == ApplyKillTests.content(3))
    }
}
