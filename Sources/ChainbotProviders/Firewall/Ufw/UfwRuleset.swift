import ChainbotCore

/// The incoming firewall chainbot wants from UFW: the default incoming policy and chainbot's rules in order.
///
/// Loopback, established/related and ICMP echo are accepted by ufw's own `before.rules` (ahead of every user
/// rule), so they are not rules here; a Firewall that turns one of them off cannot be honoured by ufw and is an
/// error. Every rule carries the `chainbot:OWNER` tag in its comment; rules without it are someone else's.
public struct UfwRuleset: Sendable, Hashable {
    /// The default incoming policy (`ufw default POLICY incoming`).
    public var policy: UfwPolicy
    /// Chainbot's rules in order: management ports first, then FirewallRules by name, then Port exposes by name.
    public var rules: [UfwRule]
    /// The management ports, always allowed over TCP from anywhere.
    public var managementPorts: [Int]

    public init(policy: UfwPolicy, rules: [UfwRule], managementPorts: [Int] = []) {
        self.policy = policy
        self.rules = rules
        self.managementPorts = managementPorts
    }

    /// The leading rules that allow the management ports (tagged `Firewall/NAME:management`).
    public var managementRules: [UfwRule] {
        Array(rules.prefix { $0.owner?.hasSuffix(UfwRuleset.managementPart) == true })
    }

    static let managementPart = ":management"
}

/// UFW's default policy for incoming packets.
public enum UfwPolicy: String, Sendable, Hashable, CaseIterable {
    case allow, deny, reject

    /// `drop` is ufw's `deny`, `accept` its `allow`.
    public init(_ policy: FirewallSpec.Policy) {
        self = policy == .drop ? .deny : .allow
    }
}

/// A spec that cannot become UFW rules.
public struct UfwRulesetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The resource holding the bad value, e.g. `FirewallRule/ssh`.
    public var resource: String
    public var message: String

    public init(resource: String, message: String) {
        self.resource = resource
        self.message = message
    }

    public var description: String { "\(resource): \(message)" }
}

extension UfwRuleset {
    /// How many ports one ufw rule may list; a range counts as two (iptables' multiport limit).
    static let maximumPortSlots = 15

    /// Renders the desired UFW state from the Firewall, the FirewallRules and the `expose` of Ports — the same
    /// inputs as `NftRuleset.init(firewallName:firewall:rules:ports:)`.
    ///
    /// Order: one `allow tcp` rule per management port, FirewallRules by name, Port exposes by name. ufw takes
    /// one source network and one protocol per rule, so a rule with N sources becomes N rules (in the order
    /// given), and `protocol: any` with ports becomes a `tcp` and a `udp` rule.
    public init(
        firewallName: String, firewall: FirewallSpec, rules: [String: FirewallRuleSpec] = [:],
        ports: [String: PortSpec] = [:]
    ) throws(UfwRulesetError) {
        let base = "Firewall/\(firewallName)"
        for (enabled, what) in [
            (firewall.allowLoopback, "allowLoopback"), (firewall.allowEstablished, "allowEstablished"),
            (firewall.allowICMP, "allowICMP"),
        ] where !enabled {
            throw UfwRulesetError(
                resource: base,
                message: "\(what): false cannot be honoured by ufw (its before.rules always accept it); "
                    + "use backend: nftables")
        }
        var out: [UfwRule] = []
        for port in firewall.managementPorts {
            try Self.check([PortRange(port, port)], owner: base)
            out.append(
                UfwRule(
                    .allow, networkProtocol: "tcp", ports: [PortRange(port, port)],
                    comment: UfwComment.make(owner: base + Self.managementPart)))
        }
        for name in rules.keys.sorted() {
            guard let rule = rules[name] else { continue }
            out += try Self.rules(for: rule, owner: "FirewallRule/\(name)")
        }
        for name in ports.keys.sorted() {
            guard let port = ports[name], !port.exposeFrom.isEmpty else { continue }
            let owner = "Port/\(name)"
            try Self.check([PortRange(port.port, port.port)], owner: owner)
            for network in try Self.networks(port.exposeFrom, owner: owner) {
                out.append(
                    UfwRule(
                        .allow, networkProtocol: port.networkProtocol.rawValue,
                        ports: [PortRange(port.port, port.port)], from: network,
                        comment: UfwComment.make(owner: owner)))
            }
        }
        // ufw keeps one rule per match (adding another updates it in place), so two would flap forever.
        var seen: [UfwRule: String] = [:]
        for rule in out {
            let owner = rule.owner ?? base
            if let first = seen[rule.key] {
                let other = first == owner ? "repeats itself" : "is also a rule of \(first)"
                let match = rule.statement.dropFirst(rule.action.rawValue.count + 1)
                throw UfwRulesetError(
                    resource: owner, message: "'\(match)' \(other); ufw holds only one rule per match")
            }
            seen[rule.key] = owner
        }
        self.init(policy: UfwPolicy(firewall.defaultInput), rules: out, managementPorts: firewall.managementPorts)
    }

    private static func rules(for spec: FirewallRuleSpec, owner: String) throws(UfwRulesetError) -> [UfwRule] {
        let action: UfwRule.Action =
            switch spec.action {
            case .accept: .allow
            case .drop: .deny
            case .reject: .reject
            }
        let protocols: [String?]
        switch (spec.ruleProtocol, spec.ports.isEmpty) {
        case (.tcp, _), (.udp, _): protocols = [spec.ruleProtocol.rawValue]
        case (.any, true): protocols = [nil]
        case (.any, false): protocols = ["tcp", "udp"]
        case (.icmp, _):
            throw UfwRulesetError(
                resource: owner,
                message: "ufw cannot match ICMP in a rule (its before.rules handle ICMP); use backend: nftables")
        }
        try check(spec.ports, owner: owner)
        var interface: String?
        if let name = spec.interface, !name.isEmpty {
            guard name.utf8.count <= 15, name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-@".contains($0) })
            else { throw UfwRulesetError(resource: owner, message: "'\(name)' is not an interface name ufw accepts") }
            interface = name
        }
        let sources: [CIDR?] = spec.from.isEmpty ? [nil] : try networks(spec.from, owner: owner)
        let comment = UfwComment.make(owner: owner, text: spec.comment)
        return sources.flatMap { source in
            protocols.map { name in
                UfwRule(
                    action, networkProtocol: name, ports: spec.ports, from: source, interface: interface,
                    comment: comment)
            }
        }
    }

    /// Throws unless every port is 1…65535 and the list fits one ufw rule.
    private static func check(_ ports: [PortRange], owner: String) throws(UfwRulesetError) {
        for range in ports where !(1...65535).contains(range.lower) || !(1...65535).contains(range.upper) {
            throw UfwRulesetError(resource: owner, message: "port \(range) is outside 1-65535")
        }
        for range in ports where range.lower > range.upper {
            throw UfwRulesetError(resource: owner, message: "port range \(range) ends before it starts")
        }
        let slots = UfwRule(.allow, ports: ports).ports.reduce(0) { $0 + ($1.lower == $1.upper ? 1 : 2) }
        if slots > maximumPortSlots {
            throw UfwRulesetError(
                resource: owner,
                message: "ufw takes at most \(maximumPortSlots) ports in one rule (a range counts as 2); "
                    + "these need \(slots)")
        }
    }

    private static func networks(_ texts: [String], owner: String) throws(UfwRulesetError) -> [CIDR] {
        var out: [CIDR] = []
        for text in texts {
            guard let network = CIDR(text) else {
                throw UfwRulesetError(resource: owner, message: "'\(text)' is not an IP address or network")
            }
            out.append(network)
        }
        return out
    }
}
