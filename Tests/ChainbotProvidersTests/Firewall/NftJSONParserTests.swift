import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct NftJSONParserTests {
    static func fixture(_ name: String) throws -> String {
        try #require(Fixtures.readText(Fixtures.path("fixtures/nftables/" + name)))
    }

    @Test func readsTheLoadedAlexOSTableBackIntoTheRenderedModel() throws {
        let observed = try #require(try NftJSONParser.parse(try Self.fixture("alexos-table.json")))

        #expect(observed == (try FirewallExamples.alexOS()))
    }

    @Test func readsEveryRuleShapeBackIntoTheRenderedModel() throws {
        let observed = try #require(try NftJSONParser.parse(try Self.fixture("mixed-rules.json")))

        #expect(observed.rules == (try FirewallExamples.mixed()).rules)
        #expect(observed == (try FirewallExamples.mixed()))
    }

    @Test func keepsARuleWithAnExpressionItDoesNotModelAsUnrecognized() throws {
        let observed = try #require(try NftJSONParser.parse(try Self.fixture("alexos-table-counter-rule-added.json")))
        let last = try #require(observed.rules.last)

        #expect(last.comment == "debugging")
        #expect(
            last.unrecognized
                == #"[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":8080}},"#
                + #"{"counter":{"packets":0,"bytes":0}},{"accept":null}]"#)
    }

    @Test func readsAListingWithoutTheChainAsMissing() throws {
        let text = #"{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}"#

        #expect(try NftJSONParser.parse(text) == nil)
    }

    @Test func ignoresOtherTablesAndChains() throws {
        let text = #"""
            {"nftables": [{"chain": {"family": "ip", "table": "filter", "name": "input", "policy": "accept"}},
            {"rule": {"family": "ip", "table": "filter", "chain": "input", "handle": 3, "expr": [{"drop": null}]}},
            {"chain": {"family": "inet", "table": "chainbot", "name": "input", "policy": "drop"}}]}
            """#

        #expect(try NftJSONParser.parse(text) == NftRuleset(policy: .drop, rules: []))
    }

    @Test func reportsAChainAddedByHandToChainbotsTable() throws {
        let text = #"""
            {"nftables": [{"chain": {"family": "inet", "table": "chainbot", "name": "input", "policy": "drop"}},
            {"chain": {"family": "inet", "table": "chainbot", "name": "sneaky"}},
            {"rule": {"family": "inet", "table": "chainbot", "chain": "sneaky", "handle": 3, "expr": [{"drop": null}]}}]}
            """#
        let observed = try #require(try NftJSONParser.parse(text))

        #expect(observed.rules == [])
        #expect(
            NftRuleset(policy: .drop, rules: []).differences(from: observed) == ["- chain sneaky (added by hand)"])
    }

    @Test func reportsOutputThatIsNotJSONWithItsOffset() {
        #expect(throws: NftJSONParser.Failure.syntax(JSONSyntaxError(offset: 16, message: "expected ',' or ']'"))) {
            try NftJSONParser.parse(#"{"nftables": [1 2]}"#)
        }
        #expect(throws: NftJSONParser.Failure.shape("no \"nftables\" array")) { try NftJSONParser.parse("[]") }
    }
}
