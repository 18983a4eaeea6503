/// The eight resource kinds of `chainbot.dev/v1`.
public enum Kind: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case host = "Host"
    case firewall = "Firewall"
    case firewallRule = "FirewallRule"
    case configFile = "ConfigFile"
    case service = "Service"
    case port = "Port"
    case agent = "Agent"
    case watchtowerTarget = "WatchtowerTarget"

    /// The only apiVersion this chainbot reads.
    public static let apiVersion = "chainbot.dev/v1"

    public var description: String { rawValue }

    /// Position in the implicit apply order: Host → Firewall/FirewallRule → ConfigFile → Service → Port →
    /// Agent → WatchtowerTarget (DESIGN.md §3). Lower applies first.
    public var applyRank: Int {
        switch self {
        case .host: 0
        case .firewall, .firewallRule: 1
        case .configFile: 2
        case .service: 3
        case .port: 4
        case .agent: 5
        case .watchtowerTarget: 6
        }
    }

    /// True for kinds of which a host has at most one.
    public var isSingleton: Bool { self == .firewall || self == .host }

    /// Orders by apply rank, then by name.
    public static func < (lhs: Kind, rhs: Kind) -> Bool {
        (lhs.applyRank, lhs.rawValue) < (rhs.applyRank, rhs.rawValue)
    }
}

/// A resource's identity: its kind and `metadata.name`, written `Kind/name`.
public struct ResourceID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: Kind
    public var name: String

    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `Kind/name`; nil when the text has no slash or the kind is unknown (names are not checked).
    public init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/"),
            let kind = Kind(rawValue: String(text[..<slash]))
        else { return nil }
        self.init(kind, String(text[text.index(after: slash)...]))
    }

    public var description: String { "\(kind.rawValue)/\(name)" }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}
