/// Transport protocol of a port or rule.
public enum NetworkProtocol: String, Sendable, Hashable, Codable, CaseIterable {
    case tcp, udp
}

/// A port a service must listen on, and who may reach it.
public struct PortSpec: Sendable, Hashable, Codable {
    public var port: Int
    public var networkProtocol: NetworkProtocol
    /// The bind address, normalized (`127.0.0.1`, `0.0.0.0`, `::1`, `::`).
    public var address: String
    /// The Service that must own the listener.
    public var owner: ResourceID?
    /// Networks allowed through the firewall to this port (empty: not exposed).
    public var exposeFrom: [String]

    public init(
        port: Int, networkProtocol: NetworkProtocol = .tcp, address: String = "127.0.0.1",
        owner: ResourceID? = nil, exposeFrom: [String] = []
    ) {
        self.port = port
        self.networkProtocol = networkProtocol
        self.address = address
        self.owner = owner
        self.exposeFrom = exposeFrom
    }
}

/// The host firewall chainbot owns (one per host).
public struct FirewallSpec: Sendable, Hashable, Codable {
    public enum Backend: String, Sendable, Hashable, Codable, CaseIterable {
        case nftables, ufw
    }

    public enum Policy: String, Sendable, Hashable, Codable, CaseIterable {
        case drop, accept
    }

    public var backend: Backend
    public var defaultInput: Policy
    /// Ports always accepted first (TCP), never removable without `--force`.
    public var managementPorts: [Int]
    public var allowLoopback: Bool
    public var allowEstablished: Bool
    public var allowICMP: Bool
    /// How long a new ruleset may go unconfirmed before it is reverted.
    public var confirmTimeout: Duration

    public init(
        backend: Backend = .nftables, defaultInput: Policy = .drop, managementPorts: [Int],
        allowLoopback: Bool = true, allowEstablished: Bool = true, allowICMP: Bool = true,
        confirmTimeout: Duration = .seconds(60)
    ) {
        self.backend = backend
        self.defaultInput = defaultInput
        self.managementPorts = managementPorts
        self.allowLoopback = allowLoopback
        self.allowEstablished = allowEstablished
        self.allowICMP = allowICMP
        self.confirmTimeout = confirmTimeout
    }
}

/// An inclusive range of ports; a single port has `lower == upper`.
public struct PortRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var lower: Int
    public var upper: Int

    public init(_ lower: Int, _ upper: Int) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ port: Int) -> Bool { lower <= port && port <= upper }

    public func overlaps(_ other: PortRange) -> Bool { lower <= other.upper && other.lower <= upper }

    /// `ranges` sorted, with overlapping and adjacent ranges joined (`80, 81-90, 85` → `80-90`).
    public static func merged(_ ranges: [PortRange]) -> [PortRange] {
        var out: [PortRange] = []
        for range in ranges.sorted(by: { ($0.lower, $0.upper) < ($1.lower, $1.upper) }) {
            if let last = out.last, range.lower <= last.upper + 1 {
                out[out.count - 1].upper = max(last.upper, range.upper)
            } else {
                out.append(range)
            }
        }
        return out
    }

    public var description: String { lower == upper ? "\(lower)" : "\(lower)-\(upper)" }
}

/// One rule of the chainbot firewall.
public struct FirewallRuleSpec: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case accept, drop, reject
    }

    public enum RuleProtocol: String, Sendable, Hashable, Codable, CaseIterable {
        case tcp, udp, icmp, any
    }

    public var action: Action
    public var ruleProtocol: RuleProtocol
    /// Destination ports (empty: all ports).
    public var ports: [PortRange]
    /// Source networks (empty: anywhere).
    public var from: [String]
    /// Input interface (empty: any).
    public var interface: String?
    public var comment: String?

    public init(
        action: Action, ruleProtocol: RuleProtocol = .tcp, ports: [PortRange] = [], from: [String] = [],
        interface: String? = nil, comment: String? = nil
    ) {
        self.action = action
        self.ruleProtocol = ruleProtocol
        self.ports = ports
        self.from = from
        self.interface = interface
        self.comment = comment
    }
}
