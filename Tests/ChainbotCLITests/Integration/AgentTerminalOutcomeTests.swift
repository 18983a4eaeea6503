import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// A failure no retry can fix, in the real `chainbot agent`: reported once, left alone by the backoff and
/// the resync, tried again when the manifests change.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct AgentTerminalOutcomeTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    static func manifests(blockedPath: String, out: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: ok}
        spec: {path: \(out)/ok.txt, content: "hello\\n"}
        ---
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: blocked}
        spec: {path: \(blockedPath), content: "hello\\n"}
        """
    }

    /// Polls `condition` until it holds or a generous deadline passes.
    static func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func aWriteUnderAFileIsTriedOnceAcrossResyncsAndAgainWhenTheManifestsChange() async throws {
        let directory = TemporaryDirectory("chainbot-agent-terminal")
        let out = directory.file("out")
        mkdir(out, 0o755)
        // A regular file where a directory should be: ENOTDIR, which no retry can outlive.
        directory.write("not-a-directory", "")
        directory.write("m/files.yaml", Self.manifests(blockedPath: directory.file("not-a-directory/x"), out: out))
        let state = directory.file("state.db")
        let log = directory.file("agent.log")
        let process = try DetachedProcess.launch(
            Self.binary,
            [
                "agent", "-f", directory.file("m"), "--state", state, "--resync", "1s", "--backoff-base", "100ms",
                "--listen", "off",
            ],
            logPath: log)
        defer { process.terminate() }
        let text = { Fixtures.readText(log) ?? "" }
        try await Self.waitUntil("the agent reports the terminal failure") {
            text().contains("ConfigFile/blocked: ") && text().contains("a retry cannot help")
        }
        let store = try SQLiteStateStore.openReadOnly(path: state)
        let failures = {
            try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).filter {
                $0.event.reason == "ApplyFailed" && $0.event.regardingName == "blocked"
            }.map(\.count).reduce(0, +)
        }
        // Two more passes are two resyncs (ok converged, nothing else is due): blocked is in neither.
        let firstSync = try store.meta("agent.lastSync")
        var syncs: [String?] = [firstSync]
        try await Self.waitUntil("two resyncs ran") {
            let now = try store.meta("agent.lastSync")
            if now != syncs.last { syncs.append(now) }
            return syncs.count >= 3
        }
        #expect(try failures() == 1, "tried once, not at each backoff or resync:\n\(text())")

        directory.write("m/files.yaml", Self.manifests(blockedPath: out + "/blocked.txt", out: out))
        try await Self.waitUntil("the changed manifests are applied") { Fixtures.exists(out + "/blocked.txt") }
        process.stop()
        try await Self.waitUntil("the agent stopped") { text().contains("chainbot agent: stopped") }
    }
}
