import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct NftRulesetTests {
    @Test func acceptsManagementPortsBeforeAnyFirewallRuleOrPort() throws {
        let ruleset = try FirewallExamples.mixed()
        let owners = ruleset.rules.compactMap(\.owner)
        let management = try #require(owners.firstIndex(of: "Firewall/lab:management"))

        #expect(ruleset.rules[management].statement == "tcp dport { 22, 5420 } accept")
        #expect(owners[..<management].allSatisfy { $0.hasPrefix("Firewall/") })
        #expect(owners[(management + 1)...].allSatisfy { !$0.hasPrefix("Firewall/") })
    }

    @Test func keepsManagementPortsFirstEvenWhenARuleDropsEverything() throws {
        let ruleset = try NftRuleset(
            firewallName: "pi", firewall: FirewallSpec(defaultInput: .accept, managementPorts: [5420]),
            rules: ["aaa-block-all": FirewallRuleSpec(action: .drop, ruleProtocol: .any)])
        let statements = ruleset.rules.map(\.statement)

        #expect(statements.suffix(2) == ["tcp dport 5420 accept", "drop"])
    }

    @Test func splitsARuleWithIPv4AndIPv6SourcesIntoTwoRules() throws {
        let web = try FirewallExamples.mixed().rules.filter { $0.owner == "FirewallRule/web" }

        #expect(
            web.map(\.statement) == [
                "iifname \"eth0\" tcp dport { 80, 8000-8100 } ip saddr { 10.0.0.0/8, 192.168.1.7 } reject with tcp reset",
                "iifname \"eth0\" tcp dport { 80, 8000-8100 } ip6 saddr 2001:db8::/32 reject with tcp reset",
            ])
    }

    @Test func allowsNeighbourDiscoveryWhenICMPIsNotAllowedAndTheDefaultIsDrop() throws {
        let statements = try FirewallExamples.mixed().rules.map(\.statement)

        #expect(
            statements.contains(
                "icmpv6 type { nd-neighbor-advert, nd-neighbor-solicit, nd-router-advert, nd-router-solicit } accept"))
        #expect(
            !statements.contains { $0.contains("meta l4proto { icmp, ipv6-icmp } accept") && !$0.contains("saddr") })
    }

    @Test func rejectsNonTCPWithPlainReject() throws {
        let noisy = try #require(try FirewallExamples.mixed().rules.first { $0.owner == "FirewallRule/noisy" })

        #expect(noisy.statement == "iifname \"wlan0\" meta l4proto udp reject")
    }

    @Test func refusesASourceThatIsNotANetwork() {
        #expect(
            throws: NftRulesetError(
                resource: "FirewallRule/bad", message: "'10.0.0.300/8' is not an IP address or network")
        ) {
            try NftRuleset(
                firewallName: "pi", firewall: FirewallSpec(managementPorts: [5420]),
                rules: ["bad": FirewallRuleSpec(action: .accept, from: ["10.0.0.300/8"])])
        }
    }

    @Test func makesCommentsNftCanLoadAndCutsThemAt128Bytes() {
        let comment = NftComment.make(
            owner: "FirewallRule/x", text: "a \"quoted\"\tword " + String(repeating: "é", count: 100))

        #expect(comment.hasPrefix("chainbot:FirewallRule/x a 'quoted' word éé"))
        #expect(comment.utf8.count <= 128)
        #expect(comment.utf8.count >= 127)
        #expect(NftComment.owner(comment) == "FirewallRule/x")
        #expect(NftComment.owner("debugging") == nil)
    }
}
