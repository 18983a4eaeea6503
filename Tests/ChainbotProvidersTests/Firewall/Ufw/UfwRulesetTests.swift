import ChainbotCore
import Testing

@testable import ChainbotProviders

@Suite struct UfwRulesetTests {
    @Test func rendersManagementPortsFirstThenFirewallRulesThenPortExposesByName() throws {
        let ruleset = try UfwExamples.alexOS()

        #expect(ruleset.policy == .deny)
        #expect(ruleset.managementPorts == [5420])
        #expect(
            ruleset.rules.map(\.arguments) == [
                [
                    "allow", "in", "proto", "tcp", "from", "any", "to", "any", "port", "5420", "comment",
                    "chainbot:Firewall/pi:management",
                ],
                [
                    "allow", "in", "proto", "tcp", "from", "10.42.69.0/24", "to", "any", "port", "80", "comment",
                    "chainbot:FirewallRule/gui-http ChainBot GUI through nginx",
                ],
                [
                    "allow", "in", "proto", "tcp", "from", "10.42.69.0/24", "to", "any", "port", "8000", "comment",
                    "chainbot:Port/alexos-api",
                ],
                [
                    "allow", "in", "proto", "tcp", "from", "10.42.69.0/24", "to", "any", "port", "9000", "comment",
                    "chainbot:Port/chainbot-api",
                ],
            ])
        #expect(ruleset.managementRules == [ruleset.rules[0]])
    }

    @Test func splitsSourcesAndAnyProtocolWithPortsIntoRulesUfwCanHold() throws {
        let ruleset = try UfwExamples.mixed()

        #expect(
            ruleset.rules.map { "\($0.statement) (\($0.owner ?? "?"))" } == [
                "allow 5420/tcp (Firewall/lab:management)",
                "allow 22/tcp (Firewall/lab:management)",
                "allow 53/udp (FirewallRule/dns)",
                "deny 1000:2000/tcp (FirewallRule/games)",
                "deny 1000:2000/udp (FirewallRule/games)",
                "reject in on wlan0 udp (FirewallRule/noisy)",
                "deny in on eth1 any (FirewallRule/quiet)",
                "reject in on eth0 80,8000:8100/tcp from 2001:db8::/32 (FirewallRule/web)",
                "reject in on eth0 80,8000:8100/tcp from 10.0.0.0/8 (FirewallRule/web)",
                "reject in on eth0 80,8000:8100/tcp from 192.168.1.7 (FirewallRule/web)",
                "allow 9100/udp from ::1 (Port/metrics)",
                "allow 9100/udp from 127.0.0.1 (Port/metrics)",
            ])
        #expect(ruleset.rules[7].comment == #"chainbot:FirewallRule/web Say "hi" please"#)
    }

    @Test func mapsTheDefaultInputPolicyToUfwWords() throws {
        #expect(try UfwExamples.alexOS(policy: .drop).policy == .deny)
        #expect(try UfwExamples.alexOS(policy: .accept).policy == .allow)
    }

    @Test func clearsHostBitsOfASourceNetworkAsUfwDoes() throws {
        let ruleset = try UfwRuleset(
            firewallName: "pi", firewall: FirewallSpec(backend: .ufw, managementPorts: []),
            rules: ["lan": FirewallRuleSpec(action: .accept, from: ["10.42.69.5/24", "2001:db8::1/64"])])

        #expect(ruleset.rules.map(\.statement) == ["allow tcp from 10.42.69.0/24", "allow tcp from 2001:db8::/64"])
    }

    @Test func cleansCommentsForUfw() {
        #expect(UfwComment.make(owner: "FirewallRule/a", text: "it's\tcafé") == #"chainbot:FirewallRule/a it"s caf?"#)
        #expect(UfwComment.make(owner: "Port/p", text: String(repeating: "x", count: 300)).utf8.count == 128)
        #expect(UfwComment.make(owner: "Port/p", text: "") == "chainbot:Port/p")
    }

    @Test(arguments: [
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420], allowICMP: false), [String: FirewallRuleSpec](),
            "Firewall/pi: allowICMP: false cannot be honoured by ufw (its before.rules always accept it); "
                + "use backend: nftables"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [70000]), [:], "Firewall/pi: port 70000 is outside 1-65535"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420]),
            ["ping": FirewallRuleSpec(action: .accept, ruleProtocol: .icmp)],
            "FirewallRule/ping: ufw cannot match ICMP in a rule (its before.rules handle ICMP); use backend: nftables"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420]),
            ["lan": FirewallRuleSpec(action: .accept, from: ["10.0.0.300/8"])],
            "FirewallRule/lan: '10.0.0.300/8' is not an IP address or network"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420]),
            ["many": FirewallRuleSpec(action: .accept, ports: (1...8).map { PortRange($0 * 10, $0 * 10 + 1) })],
            "FirewallRule/many: ufw takes at most 15 ports in one rule (a range counts as 2); these need 16"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420]),
            ["bad-if": FirewallRuleSpec(action: .accept, interface: "eth0 -j")],
            "FirewallRule/bad-if: 'eth0 -j' is not an interface name ufw accepts"
        ),
        (
            FirewallSpec(backend: .ufw, managementPorts: [5420]),
            ["ssh": FirewallRuleSpec(action: .drop, ports: [PortRange(5420, 5420)])],
            "FirewallRule/ssh: '5420/tcp' is also a rule of Firewall/pi:management; ufw holds only one rule per match"
        ),
    ])
    func refusesWhatUfwCannotHoldNamingTheResource(
        firewall: FirewallSpec, rules: [String: FirewallRuleSpec], message: String
    ) {
        #expect(throws: UfwRulesetError.self) {
            try UfwRuleset(firewallName: "pi", firewall: firewall, rules: rules)
        }
        do {
            _ = try UfwRuleset(firewallName: "pi", firewall: firewall, rules: rules)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func refusesAPortExposeThatRepeatsANetwork() {
        #expect(
            throws: UfwRulesetError(
                resource: "Port/api",
                message: "'9000/tcp from 10.0.0.0/8' repeats itself; ufw holds only one rule per match")
        ) {
            try UfwRuleset(
                firewallName: "pi", firewall: FirewallSpec(backend: .ufw, managementPorts: []),
                ports: ["api": PortSpec(port: 9000, exposeFrom: ["10.0.0.0/8", "10.1.2.3/8"])])
        }
    }
}
