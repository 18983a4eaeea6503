import ChainbotCore

/// UFW as chainbot found it: whether it is enabled, the default incoming policy and every user rule.
public struct ObservedUfw: Sendable, Hashable {
    /// `Status: active` in `ufw status verbose`.
    public var active: Bool
    /// The default incoming policy (from `ufw status verbose` when active, else from `/etc/default/ufw`).
    public var policy: UfwPolicy
    /// Every rule of `ufw show added`, in its order (IPv4 and dual-stack rules first, then IPv6-only ones).
    public var rules: [UfwObservedRule]

    public init(active: Bool, policy: UfwPolicy, rules: [UfwObservedRule]) {
        self.active = active
        self.policy = policy
        self.rules = rules
    }

    /// The rules without a chainbot tag: someone else's, reported and never changed.
    public var foreign: [UfwObservedRule] { rules.filter { $0.owner == nil } }

    /// The rules with a chainbot tag, in order.
    public var owned: [UfwObservedRule] { rules.filter { $0.owner != nil } }
}

/// One line of `ufw show added`.
public struct UfwObservedRule: Sendable, Hashable, CustomStringConvertible {
    /// The words after `ufw` exactly as ufw printed them (the comment unquoted), e.g.
    /// `["allow", "5420/tcp", "comment", "chainbot:Firewall/pi:management"]`; `ufw delete` takes them back.
    public var words: [String]
    /// The rule in chainbot's model; nil for shapes chainbot does not render (route, outgoing, app, log, `to`
    /// a given address, source ports).
    public var rule: UfwRule?

    public init(words: [String], rule: UfwRule?) {
        self.words = words
        self.rule = rule
    }

    /// The words after `ufw` that delete this very rule (`delete …`, or `route delete …` for a route rule).
    public var deleteArguments: [String] {
        words.first == "route" ? ["route", "delete"] + words.dropFirst() : ["delete"] + words
    }

    /// The comment's text, when the rule has one.
    public var comment: String? {
        guard let index = words.lastIndex(of: "comment"), index + 1 < words.count else { return nil }
        return words[index + 1]
    }

    /// The resource the rule belongs to (`Port/chainbot-api`), read from its comment's tag; nil for others.
    public var owner: String? { comment.flatMap(NftComment.owner) }

    /// The rule for people, without its comment: the model's `statement`, else ufw's own words.
    public var statement: String {
        if let rule { return rule.statement }
        let end = words.lastIndex(of: "comment").flatMap { $0 + 2 == words.count ? $0 : nil } ?? words.count
        return words[..<end].joined(separator: " ")
    }

    /// The line as `ufw show added` prints it, without the leading `ufw `.
    public var description: String {
        var out = words
        if let index = out.lastIndex(of: "comment"), index + 2 == out.count { out[index + 1] = "'\(out[index + 1])'" }
        return out.joined(separator: " ")
    }
}
