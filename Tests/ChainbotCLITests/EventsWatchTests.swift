import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// `chainbot events --watch` in one process sees what an apply in another records, as it happens.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct EventsWatchTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test func aWatcherPrintsEventsRecordedByAnotherProcess() async throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state.db")
        let manifests = directory.write(
            "m/a.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: note}
            spec: {path: \(directory.file("note.txt")), content: "one\\n"}
            """)
        // Started before any state file exists: it waits for one.
        let watcher = try DetachedProcess.launch(
            Self.binary, ["events", "--watch", "-o", "json", "--state", state], logPath: directory.file("watch.log"))
        defer { watcher.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let apply = try await SpawnCommandRunner().run(
            CommandInvocation(Self.binary, ["apply", "-f", manifests, "--state", state]))
        #expect(apply.succeeded, "\(apply.errorOutput)")
        var log = ""
        for _ in 0..<1200 {
            log = Fixtures.readText(directory.file("watch.log")) ?? ""
            if log.contains("\"reason\":\"Applied\"") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(log.contains("\"reason\":\"Applied\""), "\(log)")
        #expect(log.contains("\"resource\":\"ConfigFile/note\",\"kind\":\"ConfigFile\",\"name\":\"note\""))
        // One JSON document per line.
        #expect(log.split(separator: "\n").allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
    }
}
