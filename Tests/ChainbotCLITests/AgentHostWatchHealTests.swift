import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// The built agent, with a resync of ten minutes, sees a hand-made change to a file it owns at once and
/// heals it; its own writes do not bring it back.
@Suite(
    .enabled(if: Fixtures.exists(ApplyKillTests.binary), "the chainbot binary is not built at .build/debug/chainbot"))
struct AgentHostWatchHealTests {
    /// An agent over the 40 ConfigFiles of `ApplyKillTests.manifest` under a fresh directory.
    struct Running {
        let work = TemporaryDirectory("chainbot-agent-watch")
        let agent: KillableChild
        var root: String { work.path }
        var log: String { work.file("agent.log") }
        var state: String { ApplyKillTests.statePath(root) }
        func file(_ index: Int) -> String { ApplyKillTests.filePath(root, index) }
        var logText: String { Fixtures.readText(log) ?? "" }

        init() throws {
            let manifest = work.write("m.yaml", ApplyKillTests.manifest(prefix: work.path))
            agent = try KillableChild(
                ApplyKillTests.binary,
                [
                    "agent", "-f", manifest, "--state", ApplyKillTests.statePath(work.path), "--listen", "off",
                    "--resync", "10m",
                ], errorFile: work.file("agent.log"))
        }

        /// Waits for the first pass to have written every file.
        func converged() async throws -> Bool {
            try await Poll.within(.seconds(60)) {
                AgentIdlePassWritesTests.lastSync(state) != nil
                    && (0..<ApplyKillTests.fileCount).allSatisfy {
                        Fixtures.readText(file($0)) == ApplyKillTests.content($0)
                    }
            }
        }

        /// Writes `text` into file `index` as an editor that saves in place would.
        func edit(_ index: Int, _ text: String) -> Bool { Fixtures.write(file(index), text) }

        /// Replaces file `index` with `text` in one step (a new file renamed over it): one hand change,
        /// where an in-place save is two (truncate, write) that a descheduled writer can spread apart.
        func replace(_ index: Int, _ text: String) -> Bool {
            let temporary = file(index) + ".hand"
            return Fixtures.write(temporary, text) && rename(temporary, file(index)) == 0
        }

        /// How long until file `index` holds its content again (nil: not within 20 s).
        func healed(_ index: Int) async throws -> Duration? {
            let start = ContinuousClock.now
            let back = try await Poll.within(.seconds(120)) {
                Fixtures.readText(file(index)) == ApplyKillTests.content(index)
            }
            return back ? ContinuousClock.now - start : nil
        }

        func count(_ line: String) -> Int { logText.components(separatedBy: line).count - 1 }

        /// How many passes stamped the state file until none came for `quiet` (nil: still passing after
        /// 120 s).
        func passesUntilQuiet(for quiet: Duration) async throws -> Int? {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            var stamp = AgentIdlePassWritesTests.lastSync(state)
            var passes = 0
            var lastPass = clock.now
            while clock.now < deadline {
                if clock.now - lastPass >= quiet { return passes }
                try await Task.sleep(for: .milliseconds(20))
                let now = AgentIdlePassWritesTests.lastSync(state)
                if now != stamp {
                    stamp = now
                    passes += 1
                    lastPass = clock.now
                }
            }
            return nil
        }
    }

    @Test func aHandEditOfAConfigFileIsHealedLongBeforeTheTenMinuteResync() async throws {
        let running = try Running()
        defer { running.agent.killAndWait(SIGTERM) }
        try #require(try await running.converged(), "not converged: \(running.logText)")

        #expect(running.edit(7, "edited by hand\n"))
        let healed = try await running.healed(7)
        #expect(healed != nil, "file 7 still edited after 20 s: \(running.logText)")
        print("AgentHostWatchHealTests: hand edit healed in \(healed.map { "\($0)" } ?? "more than 20 s")")

        // Removed by hand, with its folder: the folder comes back, and the file in it.
        TemporaryDirectory.remove(running.root + "/etc/kt")
        #expect(try await running.healed(3) != nil, "file 3 not back after its folder was removed: \(running.logText)")
    }

    @Test func anIdleAgentDoesNotComeBackForItsOwnWrites() async throws {
        let running = try Running()
        defer { running.agent.killAndWait(SIGTERM) }
        try #require(try await running.converged(), "not converged: \(running.logText)")
        // The first pass's own writes: held while it ran (at most one batch of them, delivered late by a
        // descheduled watcher, comes back once).
        #expect(running.count("host changed") <= 1, "the first pass's own writes were queued again: \(running.logText)")

        #expect(running.replace(11, "edited by hand\n"))
        try #require(try await running.healed(11) != nil, "not healed: \(running.logText)")
        // The heal is one pass. Its own write of the file gets one more look, a pass that changes nothing, and
        // an event of that write delivered late (a descheduled watcher thread) may bring one more. Then the
        // agent is quiet; a loop would keep passing.
        let passes = try await running.passesUntilQuiet(for: .seconds(3))
        #expect(passes != nil, "the agent kept syncing after healing: \(running.logText)")
        #expect((passes ?? .max) <= 3, "\(running.logText)")
        #expect(running.count("host changed") <= 3, "\(running.logText)")
        // One heal. A hand edit that came while the first pass's own writes got their second look is
        // healed by that look, without a "host changed" of its own.
        #expect(running.count(": 1 changed") == 1, "\(running.logText)")
    }
}
