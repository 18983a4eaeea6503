import ChainbotCore

/// Reads `nft -j list table inet chainbot` output (nft 1.0.6's JSON schema) into an `NftRuleset`.
public enum NftJSONParser {
    /// Why the output could not be read as a ruleset.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case syntax(JSONSyntaxError)
        /// The document is JSON but not the `{"nftables": [...]}` shape (what was wrong).
        case shape(String)

        public var description: String {
            switch self {
            case .syntax(let error): "nft -j output is not JSON: \(error)"
            case .shape(let message): "nft -j output is not an nftables listing: \(message)"
            }
        }
    }

    /// The chainbot table's input chain, or nil when the listing has no such table or chain (drift: missing).
    ///
    /// Rules keep nft's order. A rule with an expression chainbot does not model is kept as unrecognized with
    /// its raw expressions, so a hand-made rule is still reported rather than ignored.
    public static func parse(_ text: String) throws(Failure) -> NftRuleset? {
        let document: JSONValue
        do { document = try JSONValue(parsing: text) } catch { throw .syntax(error) }
        guard let objects = document["nftables"]?.array else { throw .shape("no \"nftables\" array") }
        var policy: FirewallSpec.Policy?
        var rules: [NftRule] = []
        var otherChains: [String] = []
        for object in objects {
            if let chain = object["chain"], isOurs(chain), let name = chain["name"]?.string {
                if name == NftRuleset.chain {
                    policy = chain["policy"]?.string.flatMap(FirewallSpec.Policy.init(rawValue:)) ?? .accept
                } else {
                    otherChains.append(name)
                }
            } else if let rule = object["rule"], isOurs(rule), rule["chain"]?.string == NftRuleset.chain {
                rules.append(self.rule(rule))
            }
        }
        return policy.map { NftRuleset(policy: $0, rules: rules, otherChains: otherChains.sorted()) }
    }

    private static func isOurs(_ object: JSONValue) -> Bool {
        object["family"]?.string == NftRuleset.family && object["table"]?.string == NftRuleset.table
    }

    static func rule(_ rule: JSONValue) -> NftRule {
        let comment = rule["comment"]?.string
        let expressions = rule["expr"]?.array ?? []
        var matches: [NftMatch] = []
        var verdict: NftVerdict?
        for expression in expressions {
            if verdict == nil, let match = match(expression) {
                matches.append(match)
            } else if verdict == nil, let found = self.verdict(expression) {
                verdict = found
            } else {
                return NftRule(unrecognized: JSONValue.array(expressions).serialized(), comment: comment)
            }
        }
        guard let verdict else {
            return NftRule(unrecognized: JSONValue.array(expressions).serialized(), comment: comment)
        }
        return NftRule(matches, verdict, comment: comment)
    }

    static func verdict(_ expression: JSONValue) -> NftVerdict? {
        guard case .object(let members) = expression, members.count == 1 else { return nil }
        switch (members[0].0, members[0].1) {
        case ("accept", .null): return .accept
        case ("drop", .null): return .drop
        case ("reject", .null): return .reject
        // nft 1.0.6 lists a plain `reject` in an inet table as its default, icmpx port-unreachable.
        case ("reject", let detail)
        where detail["type"]?.string == "icmpx" && detail["expr"]?.string == "port-unreachable":
            return .reject
        case ("reject", let detail) where detail["type"]?.string == "tcp reset": return .rejectWithTCPReset
        default: return nil
        }
    }

    static func match(_ expression: JSONValue) -> NftMatch? {
        guard let match = expression["match"], let op = match["op"]?.string, op == "==" || op == "in",
            let left = match["left"], let right = match["right"]
        else { return nil }
        if let key = left["meta"]?["key"]?.string {
            switch key {
            case "iifname": return right.string.map(NftMatch.inputInterface)
            case "l4proto": return strings(right).map(NftMatch.layer4Protocol)
            default: return nil
            }
        }
        if left["ct"]?["key"]?.string == "state" { return strings(right).map(NftMatch.connectionState) }
        guard let payload = left["payload"], let proto = payload["protocol"]?.string,
            let field = payload["field"]?.string
        else { return nil }
        switch (proto, field) {
        case ("tcp", "dport"), ("udp", "dport"), ("th", "dport"):
            return ports(right).map { NftMatch.destinationPorts(proto, $0) }
        case ("ip", "saddr"), ("ip6", "saddr"):
            let family: IPAddress.Family = proto == "ip" ? .v4 : .v6
            guard let networks = networks(right), networks.allSatisfy({ $0.address.family == family }) else {
                return nil
            }
            return .sourceNetworks(family, networks)
        case ("icmpv6", "type"): return strings(right).map(NftMatch.icmpv6Type)
        default: return nil
        }
    }

    /// Elements of a right-hand side: one value, `{"set": [...]}`, or (for flags) a plain array.
    private static func elements(_ right: JSONValue) -> [JSONValue] {
        if let set = right["set"]?.array { return set }
        if let items = right.array { return items }
        return [right]
    }

    private static func strings(_ right: JSONValue) -> [String]? {
        let items = elements(right).compactMap(\.string)
        return items.count == elements(right).count ? items : nil
    }

    private static func ports(_ right: JSONValue) -> [PortRange]? {
        var out: [PortRange] = []
        for item in elements(right) {
            if let port = item.int {
                out.append(PortRange(port, port))
            } else if let bounds = item["range"]?.array, bounds.count == 2, let low = bounds[0].int,
                let high = bounds[1].int
            {
                out.append(PortRange(low, high))
            } else {
                return nil
            }
        }
        return out
    }

    private static func networks(_ right: JSONValue) -> [CIDR]? {
        var out: [CIDR] = []
        for item in elements(right) {
            if let text = item.string, let network = CIDR(text) {
                out.append(network)
            } else if let prefix = item["prefix"], let address = prefix["addr"]?.string,
                let length = prefix["len"]?.int, let network = CIDR("\(address)/\(length)")
            {
                out.append(network)
            } else {
                return nil
            }
        }
        return out
    }
}
