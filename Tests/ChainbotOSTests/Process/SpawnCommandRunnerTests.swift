import ChainbotCore
import ChainbotOS
import Glibc
import Testing

/// Real children through `SpawnCommandRunner`: exit statuses, signals, launch failures, argv and environment.
///
/// Serialized (with its extensions in the other files) so that the descriptor-leak count sees no sibling
/// test's pipes.
@Suite(.serialized)
struct SpawnCommandRunnerTests {
    let runner = SpawnCommandRunner()

    @Test func capturesStandardOutputOfChild() async throws {
        let result = try await runner.run(CommandInvocation("/bin/echo", ["hello", "world"]))

        #expect(result.termination == .exited(0))
        #expect(result.output == "hello world\n")
        #expect(result.standardError.isEmpty)
    }

    @Test func reportsNonZeroExitStatusAndStandardError() async throws {
        let result = try await runner.run(CommandInvocation("/bin/sh", ["-c", "echo oops >&2; exit 3"]))

        #expect(result.termination == .exited(3))
        #expect(!result.succeeded)
        #expect(result.errorOutput == "oops\n")
        #expect(result.standardOutput.isEmpty)
    }

    @Test(arguments: [SIGTERM, SIGKILL, SIGSEGV])
    func reportsSignalThatKilledChild(signal: Int32) async throws {
        let result = try await runner.run(CommandInvocation("/bin/sh", ["-c", "kill -\(signal) $$"]))

        #expect(result.termination == .signaled(signal))
    }

    @Test func findsBareExecutableNameInPath() async throws {
        #expect(try await runner.run(CommandInvocation("true")).termination == .exited(0))
        #expect(try await runner.run(CommandInvocation("false")).termination == .exited(1))
    }

    @Test(arguments: ["/nonexistent/chainbot-missing-tool", "chainbot-missing-tool"])
    func reportsMissingExecutableAsLaunchFailureNamingIt(executable: String) async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation(executable, ["--flag"]))
        }

        #expect(
            error == .launchFailed(command: "\(executable) --flag", reason: "No such file or directory"))
        #expect(error?.description == "cannot run '\(executable) --flag': No such file or directory")
    }

    @Test func reportsFileWithoutExecuteBitAsPermissionDenied() async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/etc/passwd"))
        }

        #expect(error == .launchFailed(command: "/etc/passwd", reason: "Permission denied"))
    }

    @Test func rejectsArgumentContainingNULByteInsteadOfCuttingIt() async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/bin/echo", ["a\u{0}b"]))
        }

        guard case .launchFailed(_, let reason) = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("NUL byte"))
    }

    @Test func passesArgumentsVerbatimWithoutShell() async throws {
        let result = try await runner.run(CommandInvocation("/bin/echo", ["$HOME", "*", "a b", "; true"]))

        #expect(result.output == "$HOME * a b ; true\n")
    }

    @Test func addsEnvironmentOverridesOnTopOfInheritedEnvironment() async throws {
        let invocation = CommandInvocation(
            "/usr/bin/env", environment: ["CHAINBOT_TEST_GREETING": "hello world", "HOME": "/nonexistent"])

        let lines = try await runner.run(invocation).output.split(separator: "\n").map(String.init)

        #expect(lines.contains("CHAINBOT_TEST_GREETING=hello world"))
        #expect(lines.filter { $0.hasPrefix("HOME=") } == ["HOME=/nonexistent"])
        #expect(lines.contains { $0.hasPrefix("PATH=") })
    }

    @Test func rejectsEnvironmentVariableNameContainingEquals() async throws {
        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/usr/bin/env", environment: ["A=B": "c"]))
        }

        guard case .launchFailed = error else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
    }

    @Test func startsChildWithEmptySignalMaskAndNoIgnoredStandardSignals() async throws {
        let status = try await runner.run(CommandInvocation("/bin/cat", ["/proc/self/status"])).output
        func mask(_ field: String) throws -> UInt64 {
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
            return try #require(UInt64(line.dropFirst(field.count + 1).drop { $0 == "\t" }, radix: 16))
        }

        #expect(try mask("SigBlk") == 0)
        // glibc's posix_spawn leaves its two internal real-time signals (32, 33) ignored; signals 1–31 must
        // all be at their defaults.
        #expect(try mask("SigIgn") & 0x7fff_ffff == 0)
    }

    @Test func givesChildWithoutInputAnEmptyStandardInput() async throws {
        let result = try await runner.run(CommandInvocation("/bin/cat"))

        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func runsSynchronouslyOnCallingThread() throws {
        let result = try runner.runSynchronously(CommandInvocation("/bin/echo", ["sync"]))

        #expect(result.output == "sync\n")
    }
}
