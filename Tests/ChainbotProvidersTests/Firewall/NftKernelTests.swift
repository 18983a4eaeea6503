import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotProviders

/// Loads rendered tables into the kernel with the real `nft`, inside a network namespace made for the test.
@Suite struct NftKernelTests {
    static let nft = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first(where: Fixtures.exists)
    static let usable = nft != nil && geteuid() == 0
    static let skipReason: Comment = "needs nft (apt-get install -y nftables) and root for unshare --net"

    /// Runs `script` (with the file as `$1`) in a fresh network namespace.
    static func inNamespace(_ script: String, file: String) throws -> CommandResult {
        try SpawnCommandRunner().runSynchronously(
            CommandInvocation("unshare", ["--net", "sh", "-c", script, "sh", file], timeout: .seconds(20)))
    }

    @Test(.enabled(if: usable, skipReason), arguments: ["alexos", "mixed"])
    func nftAcceptsTheRenderedFile(example: String) throws {
        let directory = TemporaryDirectory("chainbot-nft")
        let ruleset = try example == "alexos" ? FirewallExamples.alexOS() : FirewallExamples.mixed()
        let file = directory.write("chainbot.nft", NftRenderer.render(ruleset))

        let result = try Self.inNamespace("nft -c -f \"$1\"", file: file)

        #expect(result.succeeded, "\(result.errorOutput)")
    }

    @Test(.enabled(if: usable, skipReason), arguments: ["alexos", "mixed"])
    func readsTheLoadedTableBackAsTheRenderedOneAndReloadsOverIt(example: String) throws {
        let directory = TemporaryDirectory("chainbot-nft")
        let ruleset = try example == "alexos" ? FirewallExamples.alexOS() : FirewallExamples.mixed()
        let file = directory.write("chainbot.nft", NftRenderer.render(ruleset))

        // Loaded twice: the second load replaces the table the first one made.
        let result = try Self.inNamespace(
            "nft -f \"$1\" && nft -f \"$1\" && nft -j list table inet chainbot", file: file)

        #expect(result.succeeded, "\(result.errorOutput)")
        let observed = try #require(try NftJSONParser.parse(result.output))
        #expect(ruleset.differences(from: observed) == [])
    }
}
