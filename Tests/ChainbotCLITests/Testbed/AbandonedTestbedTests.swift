import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A test process killed mid-run cannot stop its testbeds; the next one that starts a testbed does, and
/// never one whose process still runs.
@Suite(.enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare"))
struct AbandonedTestbedTests {
    @Test func aTestbedWhoseTestProcessIsGoneIsStoppedAndOneOfALiveProcessIsNot() async throws {
        let runner = SpawnCommandRunner()
        // A process that has exited: its pid names the abandoned testbed.
        let gone = try await runner.run(CommandInvocation("sh", ["-c", "echo $$"]))
        let deadPID = try #require(Int32(gone.output.trimmingSuffix("\n")))
        let abandoned = "abandoned-\(deadPID)-1"
        let alive = "kept-\(getpid())-999"
        for name in [abandoned, alive] {
            let started = try await runner.run(
                CommandInvocation(Testbed.scriptPath, ["start", name], timeout: .seconds(90)))
            try #require(started.succeeded, "\(started)")
        }
        defer { _ = try? runner.runSynchronously(CommandInvocation(Testbed.scriptPath, ["stop", alive])) }

        let stopped = await Testbed.stopAbandonedTestbeds(runner: runner)

        #expect(stopped.contains(abandoned), "\(stopped)")
        #expect(!stopped.contains(alive))
        #expect(!Fixtures.exists("/run/chainbot-testbed/\(abandoned)"))
        #expect(Fixtures.exists("/run/chainbot-testbed/\(alive)"))
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
