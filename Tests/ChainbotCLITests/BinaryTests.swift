import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// A few runs of the built `chainbot` executable, for what only a real process shows: exit statuses,
/// which stream gets what, and the environment.
@Suite struct BinaryTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    let runner = SpawnCommandRunner()

    private func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> CommandResult {
        try await runner.run(CommandInvocation(Self.binary, arguments, environment: environment, timeout: .seconds(30)))
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func exitStatusesFollowTheCLIContract() async throws {
        #expect(try await run(["--version"]).termination == .exited(0))
        #expect(try await run(["validate", Fixtures.path("manifests")]).termination == .exited(0))
        #expect(
            try await run(["validate", Fixtures.path("fixtures/manifests/invalid/many-problems")]).termination
                == .exited(65))
        #expect(try await run(["validate", "/nonexistent/manifests"]).termination == .exited(2))
        #expect(try await run(["validate", "--bogus"]).termination == .exited(64))
        #expect(try await run(["frobnicate"]).termination == .exited(64))
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func diagnosticsGoToStandardErrorWithoutColorWhenPiped() async throws {
        let result = try await run(["validate", Fixtures.path("fixtures/manifests/invalid/unknown-field")])
        #expect(result.output.isEmpty)
        #expect(result.errorOutput.contains("error: unknown field 'enabeld' in Service 'chainbot' [unknown-field]"))
        #expect(!result.errorOutput.contains("\u{1B}["))
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func anAliasBombIsRejectedQuicklyByTheRealProcess() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await run(["validate", Fixtures.path("fixtures/manifests/invalid/alias-budget")])
        #expect(result.termination == .exited(65))
        #expect(result.errorOutput.contains("[alias-budget]"))
        // The budget rejects it in well under a millisecond in process (AnchorAliasTests); here only a process
        // that expands the bomb (minutes, gigabytes) fails, not one a loaded machine started slowly.
        #expect(clock.now - start < .seconds(30))
    }
}

extension BinaryTests {
    @Test(
        .enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"),
        .enabled(if: !Fixtures.exists("/run/systemd/system"), "this host runs systemd"))
    func withoutARunningSystemdDiffFailsWithOneClearErrorPerProvider() async throws {
        let work = TemporaryDirectory("chainbot-nosystemd")
        let manifests = work.write(
            "m.yaml",
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: a}\nspec: {exec: /bin/true}\n---\n"
                + "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: b}\nspec: {exec: /bin/true}\n")
        let result = try await run(["diff", "-f", manifests, "--state", work.file("state.db")])
        #expect(result.termination == .exited(2))
        #expect(result.output.contains("! Service/a, Service/b: cannot plan\n    systemctl show failed: "))
        #expect(result.output.ranges(of: "systemctl show failed").count == 1)
        #expect(!Fixtures.exists(work.file("state.db")), "diff must not create a state file")
    }
}
