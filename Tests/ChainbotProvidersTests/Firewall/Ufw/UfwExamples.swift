import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// The desired UFW firewalls the tests render, and the captured ufw outputs in fixtures/ufw.
enum UfwExamples {
    /// The ALEX OS Pi's firewall: the same inputs as `FirewallExamples.alexOS()` on the nftables side.
    static func alexOS(policy: FirewallSpec.Policy = .drop, managementPorts: [Int] = [5420]) throws -> UfwRuleset {
        try UfwRuleset(
            firewallName: "pi",
            firewall: FirewallSpec(backend: .ufw, defaultInput: policy, managementPorts: managementPorts),
            rules: [
                "gui-http": FirewallRuleSpec(
                    action: .accept, ruleProtocol: .tcp, ports: [PortRange(80, 80)], from: ["10.42.69.0/24"],
                    comment: "ChainBot GUI through nginx")
            ],
            ports: alexOSPorts)
    }

    static let alexOSPorts: [String: PortSpec] = [
        "chainbot-api": PortSpec(
            port: 9000, address: "0.0.0.0", owner: ResourceID(.service, "chainbot"), exposeFrom: ["10.42.69.0/24"]),
        "alexos-api": PortSpec(
            port: 8000, address: "0.0.0.0", owner: ResourceID(.service, "watchtower"), exposeFrom: ["10.42.69.0/24"]),
        "local-only": PortSpec(port: 5000, owner: ResourceID(.service, "watchtower")),
    ]

    /// Every shape ufw can take: interface, reject, port sets, any protocol with and without ports, mixed
    /// families, a comment that needs cleaning.
    static func mixed() throws -> UfwRuleset {
        try UfwRuleset(
            firewallName: "lab",
            firewall: FirewallSpec(backend: .ufw, defaultInput: .drop, managementPorts: [5420, 22]),
            rules: [
                "web": FirewallRuleSpec(
                    action: .reject, ruleProtocol: .tcp, ports: [PortRange(8000, 8100), PortRange(80, 80)],
                    from: ["2001:db8::/32", "10.0.0.0/8", "192.168.1.7"], interface: "eth0",
                    comment: "Say 'hi'\nplease"),
                "dns": FirewallRuleSpec(action: .accept, ruleProtocol: .udp, ports: [PortRange(53, 53)]),
                "games": FirewallRuleSpec(action: .drop, ruleProtocol: .any, ports: [PortRange(1000, 2000)]),
                "noisy": FirewallRuleSpec(action: .reject, ruleProtocol: .udp, interface: "wlan0"),
                "quiet": FirewallRuleSpec(action: .drop, ruleProtocol: .any, interface: "eth1"),
            ],
            ports: ["metrics": PortSpec(port: 9100, networkProtocol: .udp, exposeFrom: ["::1", "127.0.0.1"])])
    }

    static func fixture(_ name: String) throws -> String {
        try #require(Fixtures.readText(Fixtures.path("fixtures/ufw/" + name)))
    }

    /// The observed state from a `show added` fixture, with ufw active or not and a policy.
    static func observed(_ showAdded: String, active: Bool = true, policy: UfwPolicy = .deny) throws -> ObservedUfw {
        ObservedUfw(active: active, policy: policy, rules: try UfwOutputParser.showAdded(try fixture(showAdded)))
    }
}
