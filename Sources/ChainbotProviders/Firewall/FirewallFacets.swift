import ChainbotCore

/// The facet names of the firewall kinds and how rule lines are shown.
enum FirewallFacets {
    static let policy = "policy"
    static let rules = "rules"
    static let chains = "chains"
    static let order = "order"
    static let exposed = "exposed"
    static let listener = "listener"
    /// UFW only: whether the firewall is on.
    static let active = "active"
    static let asRendered = "as rendered"
    /// Facets whose change means loading the table.
    static let tableFacets: Set<String> = [policy, rules, chains, order, exposed, active]

    /// Rules as text, one per line: the statement, then the user's comment after `#`; rules `foreign`
    /// picks are marked as added by hand (or left by an undeclared resource).
    static func lines(_ rules: [NftRule], foreign: (NftRule) -> Bool = { _ in false }) -> FacetValue {
        guard !rules.isEmpty else { return .absent }
        return .text(
            rules.map { rule in
                var line = rule.statement
                if let text = userText(rule), !text.isEmpty { line += "  # " + text }
                if foreign(rule) {
                    line += rule.owner.map { "  (from \($0), not in the manifests)" } ?? "  (added by hand)"
                }
                return line
            }.joined(separator: "\n") + "\n")
    }

    /// The comment without chainbot's tag; the whole comment for a rule chainbot did not tag.
    static func userText(_ rule: NftRule) -> String? {
        guard let comment = rule.comment else { return nil }
        guard rule.owner != nil else { return comment }
        guard let space = comment.firstIndex(of: " ") else { return nil }
        return String(comment[comment.index(after: space)...])
    }

    /// TCP ports the table's management rule accepts.
    static func managementPorts(in table: NftRuleset) -> Set<Int> {
        var ports: Set<Int> = []
        for rule in table.rules where rule.owner?.hasSuffix(":management") == true && rule.verdict == .accept {
            for match in rule.matches {
                if case .destinationPorts("tcp", let ranges) = match {
                    for range in ranges { ports.formUnion(range.lower...range.upper) }
                }
            }
        }
        return ports
    }

    /// True when the rules `observed` shares with `desired` come in the same order.
    static func sameRelativeOrder(_ observed: [NftRule], _ desired: [NftRule]) -> Bool {
        let wanted = Set(desired)
        let seen = Set(observed)
        return observed.filter { wanted.contains($0) } == desired.filter { seen.contains($0) }
    }
}

/// The whole desired firewall of one run, from every Firewall, FirewallRule and Port in the manifests.
struct DesiredFirewall: Sendable {
    var firewall: Resource?
    var rules: [String: FirewallRuleSpec] = [:]
    var ports: [String: PortSpec] = [:]
    /// Declared resource ids, as rule owners spell them (`FirewallRule/ssh`).
    var declared: Set<String> = []
    /// Unit names of the Services, by resource id.
    var units: [ResourceID: String] = [:]
    /// The table, rendered once per run.
    private(set) var rendered: Result<NftRuleset, ProviderError> = .success(NftRuleset(policy: .accept, rules: []))
    /// The rendered rules by owner (`FirewallRule/ssh`, `Firewall/pi:management`).
    private(set) var rulesByOwner: [String: [NftRule]] = [:]
    /// The load step for the rendered table (nil when it cannot be rendered).
    private(set) var tableLoad: FirewallLoad?
    /// `backend: ufw`: the rules ufw must hold.
    private(set) var ufw: Result<UfwRuleset, ProviderError>?

    var backend: FirewallSpec.Backend {
        if case .firewall(let spec)? = firewall?.spec { return spec.backend }
        return .nftables
    }

    init(_ desired: [Resource]) {
        for resource in desired {
            declared.insert(resource.id.description)
            switch resource.spec {
            case .firewall: firewall = resource
            case .firewallRule(let rule): rules[resource.id.name] = rule
            case .port(let port): ports[resource.id.name] = port
            case .service(let service): units[resource.id] = service.unitName
            default: break
            }
        }
        guard let firewall, case .firewall(let spec) = firewall.spec else { return }
        if spec.backend == .ufw {
            do {
                let ruleset = try UfwRuleset(firewallName: firewall.id.name, firewall: spec, rules: rules, ports: ports)
                ufw = .success(ruleset)
                tableLoad = FirewallLoad(
                    backend: .ufw,
                    rendered: ruleset.rules.map { $0.arguments.joined(separator: " ") }.joined(separator: "\n"),
                    expected: ["policy \(ruleset.policy.rawValue)"] + ruleset.rules.map(\.description),
                    managementPorts: spec.managementPorts, confirmTimeout: spec.confirmTimeout)
            } catch {
                ufw = .failure(ProviderError("\(error)"))
            }
            return
        }
        do {
            let ruleset = try NftRuleset(firewallName: firewall.id.name, firewall: spec, rules: rules, ports: ports)
            rendered = .success(ruleset)
            rulesByOwner = Dictionary(grouping: ruleset.rules) { $0.owner ?? "" }
            tableLoad = FirewallLoad(
                backend: spec.backend, rendered: NftRenderer.render(ruleset),
                expected: ["policy \(ruleset.policy.rawValue)"] + ruleset.rules.map(\.description),
                managementPorts: spec.managementPorts, confirmTimeout: spec.confirmTimeout)
        } catch {
            rendered = .failure(ProviderError("\(error)"))
        }
    }

    /// The ufw rules to hold.
    func ufwRuleset() throws(ProviderError) -> UfwRuleset {
        guard let ufw else { return UfwRuleset(policy: .allow, rules: []) }
        return try ufw.get()
    }

    /// The table to load.
    func ruleset() throws(ProviderError) -> NftRuleset {
        try rendered.get()
    }

    /// The rendered rules of `owner` (a resource id, or the Firewall's built-in parts with `builtIn`).
    func rules(of owner: ResourceID) -> [NftRule] {
        rulesByOwner["\(owner)"] ?? []
    }

    /// The Firewall's own rules: loopback, established, ICMP, management.
    func builtInRules(of firewall: ResourceID) -> [NftRule] {
        let prefix = "\(firewall):"
        return ((try? rendered.get())?.rules ?? []).filter { $0.owner?.hasPrefix(prefix) == true }
    }

    /// The load step that brings the host to this table (or removes the table).
    func load(removingTable: Bool, previousBackend: FirewallSpec.Backend? = nil) -> FirewallLoad? {
        if removingTable, previousBackend == .ufw {
            return FirewallLoad(
                backend: .ufw, rendered: "", expected: [], managementPorts: [], confirmTimeout: .seconds(60))
        }
        guard !removingTable, firewall != nil else {
            let table = "table \(NftRuleset.family) \(NftRuleset.table)"
            return FirewallLoad(
                backend: .nftables, rendered: "\(table)\ndelete \(table)\n", expected: [], managementPorts: [],
                confirmTimeout: .seconds(60))
        }
        return tableLoad
    }

    /// True for the rules the Firewall itself renders (loopback, management, ...).
    func isBuiltIn(_ rule: NftRule, of firewall: ResourceID) -> Bool {
        rule.owner?.hasPrefix("\(firewall):") == true
    }

    /// True when `owner` names a resource of this run (built-in Firewall parts count as the Firewall).
    func declares(_ owner: String?) -> Bool {
        guard let owner else { return false }
        let resource = owner.split(separator: ":", maxSplits: 1).first.map(String.init) ?? owner
        return declared.contains(resource)
    }

    /// The unit of the Service that must own `port`'s listener.
    func unit(of port: PortSpec) -> String? {
        port.owner.flatMap { units[$0] }
    }
}
