import ChainbotCore
import ChainbotOS
import Glibc
import Testing

/// Timeouts: SIGTERM at the deadline, SIGKILL after the grace period, and children that outlive their pipes.
extension SpawnCommandRunnerTests {
    @Test func killsChildThatRunsPastItsTimeout() async throws {
        let invocation = CommandInvocation("/bin/sleep", ["60"], timeout: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now

        let error = await #expect(throws: CommandError.self) { try await runner.run(invocation) }

        #expect(error == .timedOut(command: "/bin/sleep 60", after: .milliseconds(200)))
        #expect(clock.now - start < .seconds(30), "well before the 60 s the child would take")
    }

    @Test func escalatesToSIGKILLWhenChildIgnoresSIGTERM() async throws {
        let quick = SpawnCommandRunner(limits: .init(outputLimit: 1 << 20, killGracePeriod: .milliseconds(300)))
        let invocation = CommandInvocation(
            "/bin/sh", ["-c", "trap '' TERM; echo ready; sleep 60"], timeout: .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now

        let error = await #expect(throws: CommandError.self) { try await quick.run(invocation) }

        #expect(error == .timedOut(command: invocation.description, after: .milliseconds(300)))
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(550))
        #expect(elapsed < .seconds(30), "well before the 60 s the child would take")
    }

    @Test func returnsWhenChildExitsEvenIfItsBackgroundChildKeepsTheOutputPipe() async throws {
        let quick = SpawnCommandRunner(limits: .init(outputLimit: 1 << 20, killGracePeriod: .milliseconds(300)))
        let invocation = CommandInvocation("/bin/sh", ["-c", "sleep 60 & echo started"], timeout: .seconds(120))
        let clock = ContinuousClock()
        let start = clock.now

        let result = try await quick.run(invocation)

        #expect(result.termination == .exited(0))
        #expect(result.output == "started\n")
        #expect(clock.now - start < .seconds(30), "well before the 60 s the child would take")
    }

    @Test func waitsForChildThatClosedItsOutputsButKeepsRunning() async throws {
        let invocation = CommandInvocation("/bin/sh", ["-c", "exec >&- 2>&-; sleep 0.3; exit 4"])

        let result = try await runner.run(invocation)

        #expect(result.termination == .exited(4))
    }

    @Test func timesOutChildThatClosedItsOutputs() async throws {
        let invocation = CommandInvocation(
            "/bin/sh", ["-c", "exec >&- 2>&-; exec sleep 60"], timeout: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now

        let error = await #expect(throws: CommandError.self) { try await runner.run(invocation) }

        #expect(error == .timedOut(command: invocation.description, after: .milliseconds(200)))
        #expect(clock.now - start < .seconds(30), "well before the 60 s the child would take")
    }
}
