import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// Starts, restarts, enables and disables handed over together (`execute(together:)`).
@Suite struct SystemdTogetherTests {
    typealias Support = ServiceTestSupport
    static let listing = "systemctl list-units --all --plain --no-legend --full --"

    /// Answers `systemctl list-units` for the units it names, sorted by name as systemd does: `failed` for
    /// those in `failing`, else active; and `systemctl show` of Result and ExecMainStatus for the failed.
    static func scriptStates(_ runner: FakeCommandRunner, failing: Set<String> = [], missing: Set<String> = []) {
        runner.script("systemctl", ["list-units"]) { invocation in
            let units = invocation.arguments.drop { $0 != "--" }.dropFirst().filter { !missing.contains($0) }.sorted()
            let lines = units.map { unit in
                failing.contains(unit) ? "\(unit) loaded failed failed Test" : "\(unit) loaded active running Test"
            }
            return CommandResult(
                termination: .exited(0), standardOutput: Array(lines.map { $0 + "\n" }.joined().utf8),
                standardError: [])
        }
        runner.script("systemctl", ["show"]) { invocation in
            let units = invocation.arguments.drop { $0 != "--" }.dropFirst()
            let blocks = units.map { _ in "Result=exit-code\nExecMainStatus=3\n" }
            return CommandResult(
                termination: .exited(0), standardOutput: Array(blocks.joined(separator: "\n").utf8), standardError: [])
        }
    }

    @Test func startsAndRestartsOfSeveralUnitsAreOneCallPerVerbAndSettleWithOneShowPerCheck() async {
        let runner = FakeCommandRunner()
        Self.scriptStates(runner)
        runner.script("systemctl")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.start, unit: "a.service"), .systemctl(.restart, unit: "c.service"),
            .systemctl(.start, unit: "b.service"),
        ])

        #expect(outcomes.map { $0 == nil } == [true, true, true])
        let check = "\(Self.listing) a.service b.service c.service"
        #expect(
            runner.commandLines == [
                "systemctl start a.service b.service", "systemctl restart c.service", check, check,
            ])
        #expect(runner.invocations.prefix(2).map(\.timeout) == [.seconds(120), .seconds(120)])
    }

    @Test func enablesAndDisablesOfSeveralUnitsAreOneCallPerVerbWithoutAReload() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.enable, unit: "a.service"), .systemctl(.enable, unit: "b.service"),
            .systemctl(.disable, unit: "c.service"), .systemctl(.enable, unit: "d.service"),
        ])

        #expect(outcomes.map { $0 == nil } == [true, true, true, true])
        #expect(
            runner.commandLines == [
                "systemctl enable --no-reload a.service b.service d.service", "systemctl disable --no-reload c.service",
            ])
    }

    @Test func aUnitThatDiesWhileTheOthersSettleFailsAloneWithItsJournal() async {
        let runner = FakeCommandRunner()
        Self.scriptStates(runner, failing: ["b.service"])
        runner.script("systemctl")
        runner.script("journalctl", exitCode: 0, output: "b: cannot open /etc/b.conf\n")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.start, unit: "a.service"), .systemctl(.start, unit: "b.service"),
            .systemctl(.start, unit: "c.service"),
        ])

        #expect(outcomes[0] == nil)
        #expect(outcomes[2] == nil)
        #expect(outcomes[1]?.message == "b.service failed right after starting (exit-code, status 3)")
        #expect(outcomes[1]?.detail.contains("b: cannot open /etc/b.conf") == true)
        // b left the settle at its first check (its Result read once); a and c were checked once more.
        #expect(
            runner.commandLines.filter { $0.hasPrefix("systemctl list-units") || $0.hasPrefix("systemctl show") } == [
                "\(Self.listing) a.service b.service c.service",
                "systemctl show --property=Result,ExecMainStatus -- b.service", "\(Self.listing) a.service c.service",
            ])
    }

    @Test func whenAJointStartFailsTheUnitsItLeftDownRunAloneAndOnlyTheirOwnFailureIsReported() async {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["start", "a.service", "b.service"], exitCode: 1,
            errorOutput: "Failed to start b.service: Unit b.service not found.\n")
        runner.script(
            "systemctl", ["start", "b.service"], exitCode: 5,
            errorOutput: "Failed to start b.service: Unit b.service not found.\n")
        Self.scriptStates(runner, missing: ["b.service"])
        runner.script("systemctl")
        runner.script("journalctl", exitCode: 0, output: "")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.start, unit: "a.service"), .systemctl(.start, unit: "b.service"),
        ])

        #expect(outcomes[0] == nil)
        #expect(
            outcomes[1]?.message
                == "systemctl start b.service failed: Failed to start b.service: Unit b.service not found.")
        #expect(runner.commandLines.first == "systemctl start a.service b.service")
        // a came up in the joint call and only settles; b, not even loaded, is started alone for its own error.
        #expect(!runner.commandLines.contains("systemctl start a.service"))
        #expect(runner.commandLines.contains("systemctl start b.service"))
    }

    @Test func whenAJointRestartFailsTheUnitsItLeftActiveAreNotRestartedAgain() async {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["restart", "a.service", "b.service"], exitCode: 1,
            errorOutput: "Job for b.service failed because the control process exited with error code.\n")
        runner.script(
            "systemctl", ["restart", "b.service"], exitCode: 1,
            errorOutput: "Job for b.service failed because the control process exited with error code.\n")
        Self.scriptStates(runner, failing: ["b.service"])
        runner.script("systemctl")
        runner.script("journalctl", exitCode: 0, output: "b: bad config\n")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.restart, unit: "a.service"), .systemctl(.restart, unit: "b.service"),
        ])

        #expect(outcomes[0] == nil)
        #expect(outcomes[1]?.message.hasPrefix("systemctl restart b.service failed: Job for b.service failed") == true)
        #expect(outcomes[1]?.detail.contains("b: bad config") == true)
        #expect(
            runner.commandLines.filter { $0.hasPrefix("systemctl restart") } == [
                "systemctl restart a.service b.service", "systemctl restart b.service",
            ])
    }

    @Test func aBadUnitNameFailsItsOwnActionAndTheOthersStillRunTogether() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl")
        let provider = Support.provider(runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.enable, unit: "a.service"), .systemctl(.enable, unit: "../b.service"),
            .systemctl(.enable, unit: "c.service"),
        ])

        #expect(outcomes[0] == nil)
        #expect(outcomes[1] != nil)
        #expect(outcomes[2] == nil)
        #expect(runner.commandLines == ["systemctl enable --no-reload a.service c.service"])
    }

    @Test func offlineEachEnableRunsAloneUnderTheRoot() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl")
        let provider = Support.provider(.offline, runner: runner)

        let outcomes = await provider.execute(together: [
            .systemctl(.enable, unit: "a.service"), .systemctl(.enable, unit: "b.service"),
        ])

        #expect(outcomes.map { $0 == nil } == [true, true])
        #expect(runner.commandLines.count == 2)
        #expect(runner.commandLines.allSatisfy { $0.hasPrefix("systemctl --root=") })
    }
}
