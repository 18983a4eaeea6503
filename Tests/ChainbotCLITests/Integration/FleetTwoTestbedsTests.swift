import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// Two real systemd hosts at once, `pi-kitchen-1` and `pi-garage`, follow one signed fleet repository
/// served by `git daemon` in a network namespace of its own (`contrib/bench/fleet-testbed.sh`, one push):
/// each applies the push, runs exactly the Service selected for its host name, and both refuse an unsigned
/// commit and keep the last good one.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"),
    .enabled(
        if: Fixtures.exists("/usr/lib/git-core/git-daemon"), "needs git daemon (/usr/lib/git-core/git-daemon)"))
struct FleetTwoTestbedsTests {
    @Test func twoHostsFollowOneRepositoryEachWithItsOwnSelectionAndBothRefuseAnUnsignedCommit() async throws {
        let script = Fixtures.packageRoot + "/contrib/bench/fleet-testbed.sh"
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                "/usr/bin/env", ["CHAINBOT_BENCH_PUSHES=1", "bash", script, Testbed.chainbotBinary],
                timeout: .seconds(600)))
        let output = String(decoding: result.standardOutput, as: UTF8.self)
        let errors = String(decoding: result.standardError, as: UTF8.self)
        #expect(result.succeeded, "\(output)\(errors)")
        #expect(output.contains("push -> both converged"), "\(output)")
        #expect(output.contains("each host runs exactly its own Service: yes"), "\(output)")
        #expect(output.contains("GitVerifyFailed recorded 2/2, note kept 2/2"), "\(output)")
    }
}
