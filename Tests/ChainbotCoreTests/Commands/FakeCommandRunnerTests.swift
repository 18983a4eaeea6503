import ChainbotCore
import ChainbotTestSupport
import Testing

/// `FakeCommandRunner` records what was sent and replays scripted answers.
struct FakeCommandRunnerTests {
    @Test func replaysScriptedOutputForMatchingArgumentsPrefix() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"], output: "ActiveState=active\n")

        let result = try await runner.run(CommandInvocation("systemctl", ["show", "--property=ActiveState", "x"]))

        #expect(result.termination == .exited(0))
        #expect(result.output == "ActiveState=active\n")
    }

    @Test func recordsInvocationsInOrderWithInputAndEnvironment() async throws {
        let runner = FakeCommandRunner()
        runner.script("nft")
        let load = CommandInvocation("nft", ["-f", "-"], environment: ["LC_ALL": "C"], standardInput: Array("x".utf8))

        _ = try await runner.run(CommandInvocation("nft", ["-j", "list", "ruleset"]))
        _ = try await runner.run(load)

        #expect(runner.commandLines == ["nft -j list ruleset", "nft -f -"])
        #expect(runner.invocations.last == load)
    }

    @Test func usesFirstMatchingScriptUntilItsTimesAreUsedUp() async throws {
        let runner = FakeCommandRunner()
        let timeout = CommandError.timedOut(command: "systemctl start a", after: .seconds(1))
        runner.script("systemctl", ["start"], times: 1, error: timeout)
        runner.script("systemctl", ["start"], exitCode: 0)

        await #expect(throws: timeout) {
            try await runner.run(CommandInvocation("systemctl", ["start", "a"]))
        }
        #expect(try await runner.run(CommandInvocation("systemctl", ["start", "a"])).succeeded)
        #expect(try await runner.run(CommandInvocation("systemctl", ["start", "a"])).succeeded)
    }

    @Test func reportsExitStatusAndStandardErrorFromScript() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["is-enabled"], exitCode: 1, output: "disabled\n", errorOutput: "nope\n")

        let result = try await runner.run(CommandInvocation("systemctl", ["is-enabled", "x.service"]))

        #expect(result.termination == .exited(1))
        #expect(result.errorOutput == "nope\n")
    }

    @Test func answersWithClosureThatSeesTheInvocation() async throws {
        let runner = FakeCommandRunner()
        runner.script("echo-input", where: { $0.standardInput != nil }) { invocation in
            CommandResult(termination: .exited(0), standardOutput: invocation.standardInput ?? [])
        }

        let result = try await runner.run(CommandInvocation("/usr/bin/cat", standardInput: [1, 2, 3]))

        #expect(result.standardOutput == [1, 2, 3])
    }

    @Test func failsUnscriptedInvocationNamingItAndTheScripts() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"])

        let error = await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("nft", ["-j", "list", "ruleset"]))
        }

        #expect(
            error?.description
                == "cannot run 'nft -j list ruleset': FakeCommandRunner has no scripted answer for it "
                + "(scripted: systemctl show)")
        #expect(runner.commandLines == ["nft -j list ruleset"])
    }

    @Test func doesNotMatchDifferentExecutableOrShorterArguments() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show", "--all"])

        await #expect(throws: CommandError.self) { try await runner.run(CommandInvocation("systemctl", ["show"])) }
        await #expect(throws: CommandError.self) {
            try await runner.run(CommandInvocation("/usr/bin/systemctl", ["show", "--all"]))
        }
    }

    @Test func listsScriptsWhoseTimesAreNotUsedUp() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["daemon-reload"], times: 1)
        runner.script("systemctl", ["restart", "chainbot.service"], times: 2)
        runner.script("systemctl", ["show"])

        _ = try await runner.run(CommandInvocation("systemctl", ["daemon-reload"]))
        _ = try await runner.run(CommandInvocation("systemctl", ["restart", "chainbot.service"]))

        #expect(runner.unusedScripts == ["systemctl restart chainbot.service"])
    }

    @Test func recordsConcurrentInvocationsWithoutLosingAny() async throws {
        let runner = FakeCommandRunner()
        runner.script("true")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await runner.run(CommandInvocation("true", ["\(index)"])) }
            }
            try await group.waitForAll()
        }

        #expect(Set(runner.invocations.map(\.arguments)) == Set((0..<200).map { ["\($0)"] }))
    }
}
