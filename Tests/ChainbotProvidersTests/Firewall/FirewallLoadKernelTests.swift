import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// `FirewallProvider.execute(.loadFirewall)` with the real `nft`, inside a network namespace pair the test
/// creates: a ruleset nft rejects changes nothing, and the error carries nft's own diagnostics.
@Suite(
    .enabled(if: NetworkPair.unavailable() == nil, "\(NetworkPair.unavailable() ?? "")"),
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .serialized)
struct FirewallLoadKernelTests {
    @Test func aRulesetNftRejectsLeavesTheLoadedOneIntact() async throws {
        let pair = try NetworkPair.create("fwbad")
        defer { pair.remove() }
        let directory = TemporaryDirectory()
        let provider = FirewallProvider(
            runner: NamespacedRunner(pair, .host),
            settings: .init(
                runtimeDirectory: directory.file("run"), runtimeFileSystem: LocalFileSystem(),
                // The watchdog must restore inside the namespace too, never in the test's own.
                watchdog: [
                    [
                        NetworkPair.script, "exec", pair.name, "host", Fixtures.path(".build/debug/chainbot"),
                        "firewall-watchdog",
                    ]
                ]),
            launcher: DetachedLauncher())
        let good = try FirewallExamples.alexOS()
        let load = FirewallLoad(
            backend: .nftables, rendered: NftRenderer.render(good),
            expected: ["policy drop"] + good.rules.map(\.description), managementPorts: [5420],
            confirmTimeout: .seconds(30))
        try await provider.execute(.loadFirewall(load))
        let before = try await pair.run(.host, ["nft", "list", "table", "inet", "chainbot"]).output
        #expect(before.contains("tcp dport 5420 accept"))

        var bad = load
        bad.rendered = load.rendered.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.contains("tcp dport 5420 accept") ? "\t\ttcp dport 70000 accept" : String($0)
        }.joined(separator: "\n")
        let error = await #expect(throws: ProviderError.self) { try await provider.execute(.loadFirewall(bad)) }
        #expect(
            error?.message.contains("nft -f \(directory.file("run"))/load.nft failed (exit status 1)") == true,
            "\(String(describing: error))")
        #expect(error?.message.contains("the previous firewall is unchanged") == true)
        #expect(error?.detail.contains("Error:") == true, "\(String(describing: error?.detail))")

        let after = try await pair.run(.host, ["nft", "list", "table", "inet", "chainbot"]).output
        #expect(after == before)
        // Nothing is left armed: no watchdog will revert the good table later.
        #expect(Fixtures.list(directory.file("run")).filter { $0.hasPrefix("pending-") }.isEmpty)
    }
}
