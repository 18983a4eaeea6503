import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct NftDifferencesTests {
    @Test func findsNoDifferenceWhenTheLoadedTableIsWhatWasRendered() throws {
        let observed = try #require(try NftJSONParser.parse(try NftJSONParserTests.fixture("alexos-table.json")))

        #expect(try FirewallExamples.alexOS().differences(from: observed) == [])
    }

    @Test func reportsARuleAddedByHand() throws {
        let text = try NftJSONParserTests.fixture("alexos-table-ssh-added-by-hand.json")
        let observed = try #require(try NftJSONParser.parse(text))

        #expect(try FirewallExamples.alexOS().differences(from: observed) == ["- tcp dport 22 accept (added by hand)"])
    }

    @Test func doesNotReportASetWrittenInAnotherOrder() throws {
        let text = try NftJSONParserTests.fixture("alexos-table.json")
            .replacing(#"["established", "related"]"#, with: #"["related", "established"]"#)
            .replacing(#"["icmp", "ipv6-icmp"]"#, with: #"["ipv6-icmp", "icmp"]"#)
        let observed = try #require(try NftJSONParser.parse(text))

        #expect(text != (try NftJSONParserTests.fixture("alexos-table.json")))
        #expect(try FirewallExamples.alexOS().differences(from: observed) == [])
    }

    @Test func reportsAnUnrecognizedRuleByItsRawExpressions() throws {
        let text = try NftJSONParserTests.fixture("alexos-table-counter-rule-added.json")
        let observed = try #require(try NftJSONParser.parse(text))

        #expect(
            try FirewallExamples.alexOS().differences(from: observed) == [
                #"- unrecognized rule [{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"#
                    + #""right":8080}},{"counter":{"packets":0,"bytes":0}},{"accept":null}] (added by hand)"#
            ])
    }

    @Test func reportsAPolicyChangeAndMissingRulesInChainOrder() throws {
        var observed = try FirewallExamples.alexOS()
        observed.policy = .accept
        observed.rules.removeAll { $0.owner == "Port/chainbot-api" }
        observed.rules.swapAt(0, 1)

        #expect(
            try FirewallExamples.alexOS().differences(from: observed) == [
                "~ policy accept -> drop",
                "+ iifname \"lo\" accept (Firewall/pi:loopback)",
                "- iifname \"lo\" accept (Firewall/pi:loopback)",
                "+ tcp dport 9000 ip saddr 10.42.69.0/24 accept (Port/chainbot-api)",
            ])
    }

    @Test func treatsTheSameNetworkAndPortsWrittenDifferentlyAsEqual() {
        let written = NftRule(
            [
                .sourceNetworks(.v4, [CIDR("10.0.0.1/32"), CIDR("10.0.0.0/8")].compactMap { $0 }),
                .destinationPorts("tcp", [PortRange(81, 90), PortRange(80, 80)]),
            ], .accept)
        let canonical = NftRule(
            [
                .destinationPorts("tcp", [PortRange(80, 90)]),
                .sourceNetworks(.v4, [CIDR("10.0.0.0/8"), CIDR("10.0.0.1")].compactMap { $0 }),
            ], .accept)

        #expect(written == canonical)
        #expect(canonical.statement == "tcp dport 80-90 ip saddr { 10.0.0.0/8, 10.0.0.1 } accept")
    }
}
