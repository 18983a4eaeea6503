import ChainbotAlexOSTestSupport
import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// A no-op `chainbot apply` leaves the state file as it was (issue 15): no status re-saved, no health
/// report counted up, no write-ahead log left behind; a real change is still recorded.
@Suite struct NoOpApplyWritesNothingTests {
    static func manifests(_ directory: TemporaryDirectory, greeting: String) -> String {
        let files = (1...5).map { index in
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: file-\(index)}
            spec: {path: /etc/bench/file-\(index).conf, content: "\(greeting) \(index)\\n"}

            """
        }
        return directory.write("manifests/files.yaml", files.joined(separator: "---\n"))
    }

    /// The state file's size and digest, and the size of a write-ahead log left next to it (0: none).
    struct Snapshot: Equatable, CustomStringConvertible {
        var size: Int
        var digest: UInt64
        var log: Int

        init(_ state: String) {
            let bytes = Fixtures.read(state) ?? []
            size = bytes.count
            digest = bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
            log = Fixtures.read(state + "-wal")?.count ?? 0
        }

        var description: String { "\(size) bytes (digest \(String(digest, radix: 16))), log \(log) bytes" }
    }

    @Test func aNoOpApplyLeavesTheStateFileAsItWasAndAChangeIsStillRecorded() async throws {
        let work = TemporaryDirectory("chainbot-noop-apply")
        let root = work.file("image")
        mkdir(root, 0o755)
        let common = ["-f", Self.manifests(work, greeting: "hello"), "--root", root]
        let state = root + "/var/lib/chainbot/state.db"

        let converge = await CLIHarness.run(["apply"] + common)
        #expect(converge.status == 0, "\(converge.stdout)\n\(converge.stderr)")
        // The first no-op may still record what the converge left settling; the ones after it write nothing.
        let first = await CLIHarness.run(["apply"] + common)
        #expect(first.stdout.contains("nothing to do: 5 resources match the manifests."), "\(first.stdout)")
        let before = Snapshot(state)
        #expect(before.size > 0)
        for _ in 1...2 {
            let again = await CLIHarness.run(["apply"] + common)
            #expect(again.stdout.contains("nothing to do"), "\(again.stdout)")
            let diff = await CLIHarness.run(["diff"] + common)
            #expect(diff.status == 0, "\(diff.stdout)\n\(diff.stderr)")
        }
        #expect(Snapshot(state) == before)
        #expect(before.log == 0)

        _ = Self.manifests(work, greeting: "changed")
        let change = await CLIHarness.run(["apply"] + common)
        #expect(change.status == 0, "\(change.stdout)\n\(change.stderr)")
        #expect(Snapshot(state).digest != before.digest)
        let history = await CLIHarness.run(["history", "--state", state])
        #expect(history.stdout.split(separator: "\n").count >= 3, "\(history.stdout)")
        let events = await CLIHarness.run(["events", "--state", state])
        #expect(events.stdout.contains("file-3"), "\(events.stdout)")
    }

    @Test func withALEXOSANoOpApplySendsNoHealthReportAgainAndWritesNothing() async throws {
        try await AlexOSWorld.run { world in
            let root = world.directory.file("image")
            mkdir(root, 0o755)
            let common = [
                "-f", Self.manifests(world.directory, greeting: "hello"), "--root", root, "--alexos-url",
                world.endpoints.baseURL,
            ]
            let state = root + "/var/lib/chainbot/state.db"
            let converge = await CLIHarness.run(["apply"] + common)
            #expect(converge.status == 0, "\(converge.stdout)\n\(converge.stderr)")
            _ = await CLIHarness.run(["apply"] + common)
            let reports = await world.simulator.events.count { $0.eventType == "health_report" }
            #expect(reports >= 1)
            let before = Snapshot(state)

            for _ in 1...2 {
                let again = await CLIHarness.run(["apply"] + common)
                #expect(again.stdout.contains("nothing to do"), "\(again.stdout)\n\(again.stderr)")
            }
            #expect(Snapshot(state) == before)
            #expect(await world.simulator.events.count { $0.eventType == "health_report" } == reports)
        }
    }
}
