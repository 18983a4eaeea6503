import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// The README's main-job command, end to end, as a newcomer runs it (with the already built binaries
/// instead of a release build): validate, the broken copy, then a throwaway Pi where chainbot applies,
/// the agent takes over, something breaks and is healed, and ALEX OS (the simulator) hears about it.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the quickstart's live part needs root, systemd and unshare"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot-alexos-sim")), "the binaries are not built"))
struct QuickstartTests {
    @Test func theQuickstartShowsChainbotDoingItsJobAndCleansUp() async throws {
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                Fixtures.path("contrib/quickstart.sh"), [],
                environment: ["CHAINBOT_BIN": Fixtures.path(".build/debug/chainbot"), "NO_COLOR": "1"],
                // Boots a testbed, installs, applies and waits for the agent: minutes on a loaded 2-core machine.
                timeout: .seconds(600)))
        let output = result.output + result.errorOutput
        #expect(result.termination == .exited(0), "\(output.suffix(3000))")
        for line in [
            "== the same manifests, broken on purpose",
            "error: unknown field 'enabeld'",
            "applied in ",
            "== chainbot diff shows exactly what drifted",
            "    state: stopped → running",
            "7 resources: 0 not synced, 0 not healthy.",
            "Normal   Applied         Service/chainbot",
            "registered agents: chainbot",
        ] {
            #expect(output.contains(line), "missing: \(line)")
        }
        // Nothing left behind: no testbed of a quickstart that has exited still runs (the script names it
        // `quickstartPID`; one of another test run still going is not this one's).
        let left = Fixtures.list("/run/chainbot-testbed").filter { name in
            guard name.hasPrefix("quickstart"), let pid = Int32(name.dropFirst("quickstart".count)) else {
                return false
            }
            return !(Fixtures.readText("/proc/\(pid)/cmdline")?.contains("quickstart.sh") ?? false)
        }
        #expect(left.isEmpty, "\(left)")
    }
}
