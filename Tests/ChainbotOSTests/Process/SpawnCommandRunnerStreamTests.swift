import ChainbotCore
import ChainbotOS
import Glibc
import Testing

/// Large and interleaved traffic on a child's standard input, output and error.
extension SpawnCommandRunnerTests {
    @Test func drainsTenMegabytesOfOutputAndOneOfErrorWithoutDeadlock() async throws {
        let script = "head -c 10000000 /dev/zero; head -c 1000000 /dev/zero >&2; echo done >&2"
        let result = try await runner.run(CommandInvocation("/bin/sh", ["-c", script], timeout: .seconds(30)))

        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.count == 10_000_000)
        #expect(result.standardOutput.allSatisfy { $0 == 0 })
        #expect(result.standardError.count == 1_000_005)
        #expect(result.standardError.suffix(5) == Array("done\n".utf8))
    }

    @Test func drainsBothStreamsWhileChildAlternatesBetweenThem() async throws {
        let script = "for i in 1 2 3 4 5 6 7 8; do head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2; done"
        let result = try await runner.run(CommandInvocation("/bin/sh", ["-c", script], timeout: .seconds(30)))

        #expect(result.standardOutput.count == 1_600_000)
        #expect(result.standardError.count == 1_600_000)
    }

    @Test func roundTripsFiveMegabytesThroughCat() async throws {
        let input = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

        let result = try await runner.run(CommandInvocation("/bin/cat", standardInput: input, timeout: .seconds(30)))

        #expect(result.termination == .exited(0))
        #expect(result.standardOutput == input)
    }

    @Test func finishesWhenChildExitsWithoutReadingItsInput() async throws {
        let input = [UInt8](repeating: 0x61, count: 5_000_000)

        let result = try await runner.run(CommandInvocation("/bin/true", standardInput: input, timeout: .seconds(30)))

        #expect(result.termination == .exited(0))
    }

    @Test func closesStandardInputSoChildSeesEndOfFile() async throws {
        let result = try await runner.run(CommandInvocation("/usr/bin/wc", ["-c"], standardInput: Array("12345".utf8)))

        #expect(result.output.trimmingSpaces == "5")
    }

    @Test func killsChildThatWritesPastOutputLimit() async throws {
        let limited = SpawnCommandRunner(limits: .init(outputLimit: 1000, killGracePeriod: .seconds(2)))
        let invocation = CommandInvocation("/bin/sh", ["-c", "head -c 100000 /dev/zero >&2; sleep 60"])

        let error = await #expect(throws: CommandError.self) { try await limited.run(invocation) }

        #expect(error == .outputLimitExceeded(command: invocation.description, stream: "standard error", limit: 1000))
        #expect(error?.description.contains("wrote more than 1000 bytes to standard error and was killed") == true)
    }

    @Test func keepsOutputOfExactlyTheLimit() async throws {
        let limited = SpawnCommandRunner(limits: .init(outputLimit: 1000, killGracePeriod: .seconds(2)))

        let result = try await limited.run(CommandInvocation("/usr/bin/head", ["-c", "1000", "/dev/zero"]))

        #expect(result.standardOutput.count == 1000)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
