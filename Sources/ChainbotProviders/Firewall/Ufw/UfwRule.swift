import ChainbotCore

/// One incoming UFW rule in the shape chainbot renders and compares: `ufw ACTION in [on IFACE] [proto P]
/// from NET to any [port PORTS] [comment 'TEXT']`.
///
/// Values are normalized on the way in (ports sorted and merged, the network's host bits cleared), so a rule
/// read back from `ufw show added` equals the rule that was rendered, however ufw spelled it.
public struct UfwRule: Sendable, Hashable, CustomStringConvertible {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case allow, deny, reject
        /// ufw's rate-limited allow; chainbot never renders it but reads it back from rules added by hand.
        case limit
    }

    public var action: Action
    /// `tcp`, `udp` or another name ufw knows (`esp`, `gre`…); nil matches every protocol.
    public var networkProtocol: String?
    /// Destination ports, sorted and merged (empty: every port).
    public private(set) var ports: [PortRange]
    /// The source network (nil: anywhere), host bits cleared.
    public private(set) var from: CIDR?
    /// The input interface (`in on IFACE`; nil: any).
    public var interface: String?
    /// The comment as ufw stores it; chainbot's start with the tag `UfwComment` makes.
    public var comment: String?

    public init(
        _ action: Action, networkProtocol: String? = nil, ports: [PortRange] = [], from: CIDR? = nil,
        interface: String? = nil, comment: String? = nil
    ) {
        self.action = action
        self.networkProtocol = networkProtocol
        self.ports = PortRange.merged(ports)
        self.from = from.map(Self.masked)
        self.interface = interface
        self.comment = comment
    }

    /// The resource the rule belongs to (`Port/chainbot-api`), read from its comment's tag; nil for others.
    public var owner: String? { comment.flatMap(NftComment.owner) }

    /// The words after `ufw` that add this rule at the end of the list, e.g.
    /// `allow in proto tcp from 10.42.69.0/24 to any port 9000 comment chainbot:Port/chainbot-api`.
    public var arguments: [String] {
        var words = [action.rawValue, "in"]
        if let interface { words += ["on", interface] }
        if let networkProtocol { words += ["proto", networkProtocol] }
        words += ["from", from.map(UfwRule.networkText) ?? "any", "to", "any"]
        if !ports.isEmpty { words += ["port", UfwRule.portText(ports)] }
        if let comment { words += ["comment", comment] }
        return words
    }

    /// The rule for people, without its comment: `allow 9000/tcp from 10.42.69.0/24`,
    /// `reject in on eth0 80,8000:8100/tcp`, `deny udp`, `allow any from 10.0.0.0/8`.
    public var statement: String {
        var words = [action.rawValue]
        if let interface { words += ["in on", interface] }
        switch (ports.isEmpty, networkProtocol) {
        case (true, nil): words.append("any")
        case (true, let name?): words.append(name)
        case (false, nil): words.append(UfwRule.portText(ports))
        case (false, let name?): words.append(UfwRule.portText(ports) + "/" + name)
        }
        if let from { words += ["from", UfwRule.networkText(from)] }
        return words.joined(separator: " ")
    }

    public var description: String {
        statement + (comment.map { " comment '\($0)'" } ?? "")
    }

    /// What ufw compares to decide that two rules are "the same rule" (everything but action and comment):
    /// it never holds two rules with one key, and adding one updates the other in place.
    var key: UfwRule {
        var key = self
        key.action = .allow
        key.comment = nil
        return key
    }

    /// Ports as ufw writes them: `80,8000:8100`.
    static func portText(_ ports: [PortRange]) -> String {
        ports.map { $0.lower == $0.upper ? "\($0.lower)" : "\($0.lower):\($0.upper)" }.joined(separator: ",")
    }

    /// A host network prints as its bare address, as ufw lists it.
    static func networkText(_ network: CIDR) -> String {
        network.prefixLength == (network.address.family == .v4 ? 32 : 128)
            ? network.address.description : network.description
    }

    /// `network` with the address bits past the prefix cleared, as ufw stores it (`10.42.69.5/24` →
    /// `10.42.69.0/24`).
    static func masked(_ network: CIDR) -> CIDR {
        var out = network
        for index in out.address.bytes.indices {
            let kept = max(0, min(8, network.prefixLength - index * 8))
            let mask: UInt8 = kept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
            out.address.bytes[index] &= mask
        }
        return out
    }
}
