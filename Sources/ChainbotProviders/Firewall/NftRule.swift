import ChainbotCore

/// One match of an nftables rule, in the normalized form chainbot compares (sets sorted, ranges merged).
public enum NftMatch: Sendable, Hashable, CustomStringConvertible {
    /// `iifname "NAME"`.
    case inputInterface(String)
    /// `meta l4proto NAME` or `meta l4proto { A, B }`; names as nft prints them (`tcp`, `icmp`, `ipv6-icmp`).
    case layer4Protocol([String])
    /// `PROTO dport …` where PROTO is `tcp`, `udp` or `th`; ranges sorted and merged.
    case destinationPorts(String, [PortRange])
    /// `ip saddr …` or `ip6 saddr …`; networks sorted.
    case sourceNetworks(IPAddress.Family, [CIDR])
    /// `ct state A,B`.
    case connectionState([String])
    /// `icmpv6 type { … }`.
    case icmpv6Type([String])

    /// Builds a match with its value sets in canonical order.
    public static func normalized(_ match: NftMatch) -> NftMatch {
        switch match {
        case .inputInterface: match
        case .layer4Protocol(let names): .layer4Protocol(Array(Set(names)).sorted())
        case .destinationPorts(let proto, let ranges): .destinationPorts(proto, PortRange.merged(ranges))
        case .sourceNetworks(let family, let networks):
            .sourceNetworks(
                family,
                Array(Set(networks)).sorted {
                    $0.address.bytes == $1.address.bytes
                        ? $0.prefixLength < $1.prefixLength
                        : $0.address.bytes.lexicographicallyPrecedes($1.address.bytes)
                })
        case .connectionState(let states): .connectionState(Array(Set(states)).sorted())
        case .icmpv6Type(let types): .icmpv6Type(Array(Set(types)).sorted())
        }
    }

    /// Where the match stands in a rendered rule: interface, protocol, ports, sources, state.
    var rank: Int {
        switch self {
        case .inputInterface: 0
        case .connectionState: 1
        case .layer4Protocol: 2
        case .icmpv6Type: 3
        case .destinationPorts: 4
        case .sourceNetworks: 5
        }
    }

    public var description: String {
        switch self {
        case .inputInterface(let name): "iifname \"\(name)\""
        case .layer4Protocol(let names): "meta l4proto " + NftMatch.set(names)
        case .destinationPorts(let proto, let ranges): "\(proto) dport " + NftMatch.set(ranges.map(\.description))
        case .sourceNetworks(let family, let networks):
            (family == .v4 ? "ip" : "ip6") + " saddr " + NftMatch.set(networks.map(NftMatch.networkText))
        case .connectionState(let states): "ct state " + states.joined(separator: ",")
        case .icmpv6Type(let types): "icmpv6 type " + NftMatch.set(types)
        }
    }

    /// A host network prints as its bare address, as nft lists it.
    static func networkText(_ network: CIDR) -> String {
        network.prefixLength == (network.address.family == .v4 ? 32 : 128)
            ? network.address.description : network.description
    }

    private static func set(_ items: [String]) -> String {
        items.count == 1 ? items[0] : "{ " + items.joined(separator: ", ") + " }"
    }
}

/// What a rule does with a packet that matched.
public enum NftVerdict: Sendable, Hashable, CustomStringConvertible {
    case accept
    case drop
    /// `reject with tcp reset`.
    case rejectWithTCPReset
    /// Plain `reject` (ICMP port unreachable for the packet's family).
    case reject

    public var description: String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        case .rejectWithTCPReset: "reject with tcp reset"
        case .reject: "reject"
        }
    }
}

/// One rule of the chainbot input chain, as rendered or as read back from `nft -j`.
public struct NftRule: Sendable, Hashable, CustomStringConvertible {
    /// Matches in rendering order (see `NftMatch.rank`), each normalized.
    public private(set) var matches: [NftMatch]
    public var verdict: NftVerdict?
    /// The rule's comment exactly as nft stores it; chainbot's start with a tag (`NftComment`).
    public var comment: String?
    /// The rule's expressions as compact JSON when any of them is one chainbot does not model.
    public var unrecognized: String?

    public init(_ matches: [NftMatch], _ verdict: NftVerdict, comment: String? = nil) {
        self.matches = matches.map(NftMatch.normalized).sorted { $0.rank < $1.rank }
        self.verdict = verdict
        self.comment = comment
        self.unrecognized = nil
    }

    /// A rule chainbot cannot model; it compares by its raw expressions and comment only.
    public init(unrecognized raw: String, comment: String? = nil) {
        self.matches = []
        self.verdict = nil
        self.comment = comment
        self.unrecognized = raw
    }

    /// The rule without its comment, e.g. `tcp dport 9000 ip saddr 10.42.69.0/24 accept`.
    public var statement: String {
        if let unrecognized { return "unrecognized rule \(unrecognized)" }
        return (matches.map(\.description) + [verdict?.description ?? ""]).joined(separator: " ")
    }

    /// The rule as `nft -f` takes it.
    public var description: String {
        guard let comment else { return statement }
        return statement + " comment \"" + comment + "\""
    }

    /// The resource the rule belongs to (`Port/chainbot-api`), read from its comment's tag; nil for others.
    public var owner: String? { comment.flatMap(NftComment.owner) }
}
