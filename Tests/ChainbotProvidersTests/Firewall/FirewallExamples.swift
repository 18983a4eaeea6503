import ChainbotCore

@testable import ChainbotProviders

/// The desired firewalls the nftables tests render and read back.
enum FirewallExamples {
    /// The ALEX OS Pi's firewall: manifests/firewall.yaml plus the `expose` of the Ports in manifests/*.yaml.
    static func alexOS() throws -> NftRuleset {
        try NftRuleset(
            firewallName: "pi",
            firewall: FirewallSpec(defaultInput: .drop, managementPorts: [5420]),
            rules: [
                "gui-http": FirewallRuleSpec(
                    action: .accept, ruleProtocol: .tcp, ports: [PortRange(80, 80)], from: ["10.42.69.0/24"],
                    comment: "ChainBot GUI through nginx")
            ],
            ports: [
                "chainbot-api": PortSpec(
                    port: 9000, address: "0.0.0.0", owner: ResourceID(.service, "chainbot"),
                    exposeFrom: ["10.42.69.0/24"]),
                "alexos-api": PortSpec(
                    port: 8000, address: "0.0.0.0", owner: ResourceID(.service, "watchtower"),
                    exposeFrom: ["10.42.69.0/24"]),
                "local-only": PortSpec(port: 5000, owner: ResourceID(.service, "watchtower")),
            ])
    }

    /// Every shape the renderer knows: mixed families, interface, reject kinds, port sets, any protocol.
    static func mixed() throws -> NftRuleset {
        try NftRuleset(
            firewallName: "lab",
            firewall: FirewallSpec(defaultInput: .drop, managementPorts: [5420, 22], allowICMP: false),
            rules: [
                "web": FirewallRuleSpec(
                    action: .reject, ruleProtocol: .tcp, ports: [PortRange(8000, 8100), PortRange(80, 80)],
                    from: ["2001:db8::/32", "10.0.0.0/8", "192.168.1.7"], interface: "eth0",
                    comment: "Say \"hi\"\nplease"),
                "dns": FirewallRuleSpec(action: .accept, ruleProtocol: .udp, ports: [PortRange(53, 53)]),
                "games": FirewallRuleSpec(action: .drop, ruleProtocol: .any, ports: [PortRange(1000, 2000)]),
                "ping": FirewallRuleSpec(action: .accept, ruleProtocol: .icmp, from: ["fd00::/8"]),
                "noisy": FirewallRuleSpec(action: .reject, ruleProtocol: .udp, interface: "wlan0"),
            ],
            ports: [
                "metrics": PortSpec(port: 9100, networkProtocol: .udp, exposeFrom: ["::1", "127.0.0.1"])
            ])
    }
}
