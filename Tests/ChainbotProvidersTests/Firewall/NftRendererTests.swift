import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct NftRendererTests {
    @Test func rendersTheAlexOSFirewallByteForByte() throws {
        let golden = try #require(Fixtures.readText(Fixtures.path("fixtures/nftables/alexos-table.nft")))

        #expect(NftRenderer.render(try FirewallExamples.alexOS()) == golden)
    }

    @Test func rendersEveryRuleShapeByteForByte() throws {
        let golden = try #require(Fixtures.readText(Fixtures.path("fixtures/nftables/mixed-rules.nft")))

        #expect(NftRenderer.render(try FirewallExamples.mixed()) == golden)
    }

    @Test func replacesOnlyChainbotsTableAndNeverFlushesTheRuleset() throws {
        let text = NftRenderer.render(try FirewallExamples.alexOS())
        let lines = text.split(separator: "\n")

        #expect(
            Array(lines.prefix(3)) == ["table inet chainbot", "delete table inet chainbot", "table inet chainbot {"])
        #expect(!text.contains("flush"))
    }

    @Test func rendersTheSameBytesEveryTime() throws {
        let renders = try (0..<5).map { _ in NftRenderer.render(try FirewallExamples.mixed()) }

        #expect(Set(renders).count == 1)
    }
}
