import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// UfwBackend against scripted ufw answers (the captured outputs in fixtures/ufw).
@Suite struct UfwBackendTests {
    static let prefix = ["/opt/ufw-netns.sh", "exec", "ns1"]

    /// A runner that answers `ufw status verbose` and `ufw show added` under `prefix` from fixtures.
    static func runner(status: String, showAdded: String, prefix: [String] = prefix) throws -> FakeCommandRunner {
        let runner = FakeCommandRunner()
        let rest = Array(prefix.dropFirst())
        runner.script(prefix[0], rest + ["ufw", "status", "verbose"], output: try UfwExamples.fixture(status))
        runner.script(prefix[0], rest + ["ufw", "show", "added"], output: try UfwExamples.fixture(showAdded))
        runner.script(
            prefix[0], rest + ["cat", "/etc/default/ufw"], output: try UfwExamples.fixture("default-ufw.txt"))
        return runner
    }

    @Test func observesThroughTheArgvPrefixWithTheCLocale() async throws {
        let runner = try Self.runner(status: "status-verbose-alexos.txt", showAdded: "show-added-alexos.txt")

        let observed = try await UfwBackend(runner: runner, prefix: Self.prefix).observe()

        #expect(observed.active)
        #expect(observed.policy == .deny)
        #expect(observed.rules.compactMap(\.rule) == (try UfwExamples.alexOS()).rules)
        #expect(
            runner.commandLines == [
                "/opt/ufw-netns.sh exec ns1 ufw status verbose", "/opt/ufw-netns.sh exec ns1 ufw show added",
            ])
        #expect(runner.invocations.allSatisfy { $0.environment == ["LC_ALL": "C"] })
    }

    @Test func readsThePolicyFromTheDefaultsFileWhenUfwIsInactive() async throws {
        let runner = try Self.runner(status: "status-inactive.txt", showAdded: "show-added-none.txt")

        let observed = try await UfwBackend(runner: runner, prefix: Self.prefix).observe()

        #expect(observed == ObservedUfw(active: false, policy: .deny, rules: []))
        #expect(runner.commandLines.last == "/opt/ufw-netns.sh exec ns1 cat /etc/default/ufw")
    }

    @Test func saysHowToInstallUfwWhenItIsMissing() async throws {
        let runner = FakeCommandRunner()
        runner.script("ufw", error: .launchFailed(command: "ufw status verbose", reason: "No such file or directory"))

        let error = await #expect(throws: ProviderError.self) { try await UfwBackend(runner: runner).observe() }

        #expect(error?.message == "ufw is not installed; apt-get install ufw")
    }

    @Test func saysHowToInstallUfwWhenThePrefixCannotFindIt() async throws {
        let runner = FakeCommandRunner()
        runner.script("/opt/ufw-netns.sh", exitCode: 127, errorOutput: "sh: 1: exec: ufw: not found\n")

        let error = await #expect(throws: ProviderError.self) {
            try await UfwBackend(runner: runner, prefix: Self.prefix).observe()
        }

        #expect(error?.message == "ufw is not installed; apt-get install ufw")
    }

    @Test func namesTheFailedCommandItsOutputAndHowFarTheApplyGot() async throws {
        let runner = FakeCommandRunner()
        runner.script("ufw", ["prepend"], output: "Rules updated\nRules updated (v6)\n")
        runner.script("ufw", ["allow"], exitCode: 1, output: "ERROR: Bad port\n")
        let plan = try UfwExamples.alexOS().plan(
            from: try UfwExamples.observed("show-added-none.txt", active: false, policy: .allow))

        let error = await #expect(throws: ProviderError.self) { try await UfwBackend(runner: runner).apply(plan) }

        #expect(
            error?.message
                == "ufw allow in proto tcp from 10.42.69.0/24 to any port 80 comment "
                + "'chainbot:FirewallRule/gui-http ChainBot GUI through nginx' failed: ERROR: Bad port")
        #expect(
            error?.detail
                == "ERROR: Bad port\nstep 2 of 6 (+ allow 80/tcp from 10.42.69.0/24 (FirewallRule/gui-http)); "
                + "the steps before it were applied")
        #expect(runner.invocations.count == 2)
    }

    @Test func runsThePlanStepsInOrderAsArgv() async throws {
        let runner = FakeCommandRunner()
        runner.script("ufw", output: "Rule added\n")
        let plan = try UfwExamples.alexOS().plan(from: try UfwExamples.observed("show-added-alexos-by-hand.txt"))

        try await UfwBackend(runner: runner).apply(plan)

        #expect(runner.invocations.map(\.arguments) == plan.steps.map(\.arguments))
    }

    @Test func verifiesAConvergedFirewallAndReportsWhatIsLeft() async throws {
        let converged = try Self.runner(status: "status-verbose-alexos.txt", showAdded: "show-added-alexos.txt")
        try await UfwBackend(runner: converged, prefix: Self.prefix).verify(try UfwExamples.alexOS())

        let drifted = try Self.runner(
            status: "status-verbose-alexos-by-hand.txt", showAdded: "show-added-alexos-by-hand.txt")
        let error = await #expect(throws: ProviderError.self) {
            try await UfwBackend(runner: drifted, prefix: Self.prefix).verify(try UfwExamples.alexOS())
        }
        #expect(error?.message == "ufw does not hold the desired rules")
        #expect(error?.detail.split(separator: "\n").count == 2)
    }

    @Test func snapshotsTheRuleFilesAndRestoresThemWithAReload() async throws {
        let runner = try Self.runner(status: "status-verbose-alexos.txt", showAdded: "show-added-alexos.txt")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "cat", "/etc/ufw/user.rules"], output: "*filter\nv4\n")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "cat", "/etc/ufw/user6.rules"], output: "*filter\nv6\n")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "dd"], output: "")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "ufw", "reload"], output: "Firewall reloaded\n")
        let backend = UfwBackend(runner: runner, prefix: Self.prefix)

        let snapshot = try await backend.snapshot()
        try await backend.restore(snapshot)

        #expect(
            snapshot
                == UfwBackend.Snapshot(
                    ruleFiles: [Array("*filter\nv4\n".utf8), Array("*filter\nv6\n".utf8)], policy: .deny, active: true))
        let writes = runner.invocations.filter { $0.arguments.contains("dd") }
        #expect(writes.map(\.arguments.last) == ["conv=fsync", "conv=fsync"])
        #expect(writes.map(\.standardInput) == snapshot.ruleFiles)
        #expect(
            runner.commandLines.suffix(5) == [
                "/opt/ufw-netns.sh exec ns1 dd of=/etc/ufw/user.rules status=none conv=fsync",
                "/opt/ufw-netns.sh exec ns1 dd of=/etc/ufw/user6.rules status=none conv=fsync",
                "/opt/ufw-netns.sh exec ns1 ufw status verbose",
                "/opt/ufw-netns.sh exec ns1 ufw show added",
                "/opt/ufw-netns.sh exec ns1 ufw reload",
            ])
    }

    @Test func restoresAnInactiveUfwByDisablingIt() async throws {
        let runner = try Self.runner(status: "status-verbose-alexos.txt", showAdded: "show-added-alexos.txt")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "dd"], output: "")
        runner.script("/opt/ufw-netns.sh", ["exec", "ns1", "ufw"], output: "")
        let snapshot = UfwBackend.Snapshot(ruleFiles: [[], []], policy: .allow, active: false)

        try await UfwBackend(runner: runner, prefix: Self.prefix).restore(snapshot)

        #expect(
            runner.commandLines.suffix(2) == [
                "/opt/ufw-netns.sh exec ns1 ufw default allow incoming", "/opt/ufw-netns.sh exec ns1 ufw disable",
            ])
    }
}
