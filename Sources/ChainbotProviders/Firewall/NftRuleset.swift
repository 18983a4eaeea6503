import ChainbotCore

/// chainbot's whole nftables table, `inet chainbot`, with its one `input` chain.
public struct NftRuleset: Sendable, Hashable {
    public static let family = "inet"
    public static let table = "chainbot"
    public static let chain = "input"

    /// The input chain's policy.
    public var policy: FirewallSpec.Policy
    /// The chain's rules in evaluation order.
    public var rules: [NftRule]
    /// Names of chains other than `input` found in the table (chainbot renders none: they were added by hand).
    public var otherChains: [String]

    public init(policy: FirewallSpec.Policy, rules: [NftRule], otherChains: [String] = []) {
        self.policy = policy
        self.rules = rules
        self.otherChains = otherChains
    }
}

/// A spec that cannot become an nftables rule.
public struct NftRulesetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The resource holding the bad value, e.g. `FirewallRule/ssh`.
    public var resource: String
    public var message: String

    public var description: String { "\(resource): \(message)" }
}

extension NftRuleset {
    /// ICMPv6 types IPv6 needs to find neighbours and routers; accepted even when ICMP is not.
    static let neighbourDiscovery = [
        "nd-neighbor-advert", "nd-neighbor-solicit", "nd-router-advert", "nd-router-solicit",
    ]

    /// Renders the desired table from the Firewall, the FirewallRules and the `expose` of Ports.
    ///
    /// Order: loopback, established, invalid, ICMP, management ports, FirewallRules by name, Port exposes by
    /// name. A rule whose sources hold both IPv4 and IPv6 networks becomes two rules (IPv4 first).
    public init(
        firewallName: String, firewall: FirewallSpec, rules: [String: FirewallRuleSpec] = [:],
        ports: [String: PortSpec] = [:]
    ) throws(NftRulesetError) {
        let base = "Firewall/\(firewallName)"
        var out: [NftRule] = []
        if firewall.allowLoopback {
            out.append(NftRule([.inputInterface("lo")], .accept, comment: NftComment.make(owner: base + ":loopback")))
        }
        if firewall.allowEstablished {
            out.append(
                NftRule(
                    [.connectionState(["established", "related"])], .accept,
                    comment: NftComment.make(owner: base + ":established")))
        }
        out.append(NftRule([.connectionState(["invalid"])], .drop, comment: NftComment.make(owner: base + ":invalid")))
        if firewall.allowICMP {
            out.append(
                NftRule(
                    [.layer4Protocol(["icmp", "ipv6-icmp"])], .accept, comment: NftComment.make(owner: base + ":icmp")))
        } else if firewall.defaultInput == .drop {
            out.append(
                NftRule(
                    [.icmpv6Type(Self.neighbourDiscovery)], .accept,
                    comment: NftComment.make(owner: base + ":neighbour-discovery")))
        }
        if !firewall.managementPorts.isEmpty {
            let ports = firewall.managementPorts.map { PortRange($0, $0) }
            out.append(
                NftRule(
                    [.destinationPorts("tcp", ports)], .accept, comment: NftComment.make(owner: base + ":management")))
        }
        for name in rules.keys.sorted() {
            guard let rule = rules[name] else { continue }
            out += try Self.rules(for: rule, owner: "FirewallRule/\(name)")
        }
        for name in ports.keys.sorted() {
            guard let port = ports[name], !port.exposeFrom.isEmpty else { continue }
            let owner = "Port/\(name)"
            let networks = try Self.networks(port.exposeFrom, owner: owner)
            for family in networks {
                out.append(
                    NftRule(
                        [
                            .destinationPorts(port.networkProtocol.rawValue, [PortRange(port.port, port.port)]),
                            .sourceNetworks(family.family, family.networks),
                        ], .accept, comment: NftComment.make(owner: owner)))
            }
        }
        self.init(policy: firewall.defaultInput, rules: out)
    }

    private static func rules(for spec: FirewallRuleSpec, owner: String) throws(NftRulesetError) -> [NftRule] {
        var matches: [NftMatch] = []
        if let interface = spec.interface, !interface.isEmpty { matches.append(.inputInterface(interface)) }
        switch (spec.ruleProtocol, spec.ports.isEmpty) {
        case (.tcp, true), (.udp, true): matches.append(.layer4Protocol([spec.ruleProtocol.rawValue]))
        case (.tcp, false), (.udp, false): matches.append(.destinationPorts(spec.ruleProtocol.rawValue, spec.ports))
        case (.icmp, _): matches.append(.layer4Protocol(["icmp", "ipv6-icmp"]))
        case (.any, true): break
        case (.any, false):
            matches += [.layer4Protocol(["tcp", "udp"]), .destinationPorts("th", spec.ports)]
        }
        let verdict: NftVerdict =
            switch spec.action {
            case .accept: .accept
            case .drop: .drop
            case .reject: spec.ruleProtocol == .tcp ? .rejectWithTCPReset : .reject
            }
        let comment = NftComment.make(owner: owner, text: spec.comment)
        if spec.from.isEmpty { return [NftRule(matches, verdict, comment: comment)] }
        return try networks(spec.from, owner: owner).map { family in
            NftRule(matches + [.sourceNetworks(family.family, family.networks)], verdict, comment: comment)
        }
    }

    /// Parses `texts` and groups them by family, IPv4 first; a family with no networks is left out.
    private static func networks(
        _ texts: [String], owner: String
    ) throws(NftRulesetError) -> [(family: IPAddress.Family, networks: [CIDR])] {
        var v4: [CIDR] = []
        var v6: [CIDR] = []
        for text in texts {
            guard let network = CIDR(text) else {
                throw NftRulesetError(resource: owner, message: "'\(text)' is not an IP address or network")
            }
            if network.address.family == .v4 { v4.append(network) } else { v6.append(network) }
        }
        return [(IPAddress.Family.v4, v4), (.v6, v6)].filter { !$0.1.isEmpty }.map { ($0.0, $0.1) }
    }
}
