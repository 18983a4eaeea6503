import ChainbotCore

extension SetValidator {
    mutating func checkPorts() {
        // Bucketed by protocol and port, so only binds that can collide are compared.
        var claimed: [String: [(spec: PortSpec, id: ResourceID, location: SourceLocation)]] = [:]
        for entry in resources {
            guard case .port(let port) = entry.resource.spec else { continue }
            let key = "\(port.networkProtocol.rawValue)/\(port.port)"
            let location = location("spec.port", in: entry)
            if let earlier = claimed[key]?.first(where: { Self.portsCollide($0.spec, port) }) {
                diagnostics.append(
                    .error(
                        .portConflict,
                        "\(entry.resource.id) claims \(port.networkProtocol.rawValue) port \(port.port) on \(port.address), which \(earlier.id) already claims on \(earlier.spec.address)",
                        at: location, notes: [.init("\(earlier.id) claims it here", at: earlier.location)]))
            } else {
                claimed[key, default: []].append((port, entry.resource.id, location))
            }
        }
    }

    /// Two binds collide on the same protocol and port when the addresses are equal or one is a
    /// wildcard (`::` is dual-stack, so it collides with IPv4 binds too).
    static func portsCollide(_ a: PortSpec, _ b: PortSpec) -> Bool {
        guard a.port == b.port, a.networkProtocol == b.networkProtocol,
            let left = IPAddress(a.address), let right = IPAddress(b.address)
        else { return false }
        if left == right { return true }
        if left.isUnspecified && (left.family == right.family || left.family == .v6) { return true }
        if right.isUnspecified && (right.family == left.family || right.family == .v6) { return true }
        return false
    }

    mutating func checkFirewall() {
        let rules = resources.filter { $0.resource.id.kind == .firewallRule }.sorted { $0.resource.id < $1.resource.id }
        if let firewall = resources.first(where: { $0.resource.id.kind == .firewall }),
            case .firewall(let spec) = firewall.resource.spec
        {
            for entry in rules {
                guard case .firewallRule(let rule) = entry.resource.spec, rule.action != .accept,
                    rule.ruleProtocol == .tcp || rule.ruleProtocol == .any
                else { continue }
                let hit = spec.managementPorts.filter { port in
                    rule.ports.isEmpty || rule.ports.contains { $0.contains(port) }
                }
                guard let port = hit.first else { continue }
                diagnostics.append(
                    .error(
                        .dropsManagementPort,
                        "\(entry.resource.id) would \(rule.action.rawValue) management port \(port)",
                        at: location(rule.ports.isEmpty ? "spec.action" : "spec.ports", in: entry),
                        notes: [
                            .init(
                                "management ports are always accepted first; remove \(port) from this rule or from managementPorts in \(firewall.resource.id)",
                                at: location("spec.managementPorts", in: firewall))
                        ]))
            }
        }
        checkRuleOverlaps(rules)
    }

    /// Compares each rule only with the earlier rules that could match all its traffic: those sharing
    /// its first port, plus those with no ports or wide ranges.
    private mutating func checkRuleOverlaps(_ rules: [Entry]) {
        var byPort: [Int: [Int]] = [:]
        var wide: [Int] = []
        let specs = rules.map { entry -> FirewallRuleSpec? in
            if case .firewallRule(let rule) = entry.resource.spec { return rule }
            return nil
        }
        for (index, entry) in rules.enumerated() {
            guard let rule = specs[index] else { continue }
            let candidates = (rule.ports.first.map { byPort[$0.lower] ?? [] } ?? []) + wide
            for earlierIndex in candidates.sorted() {
                guard let first = specs[earlierIndex], Self.covers(first, rule) else { continue }
                let earlier = rules[earlierIndex]
                if Self.covers(rule, first) && first.action != rule.action {
                    diagnostics.append(
                        .error(
                            .contradictoryRules,
                            "\(entry.resource.id) matches the same traffic as \(earlier.resource.id) but says \(rule.action.rawValue), not \(first.action.rawValue)",
                            at: location("spec.action", in: entry),
                            notes: [.init("\(earlier.resource.id) is here", at: earlier.resource.nameLocation)]))
                } else {
                    diagnostics.append(
                        .warning(
                            .shadowedRule,
                            "\(entry.resource.id) never matches: \(earlier.resource.id), evaluated first (rules run in name order), already matches all its traffic",
                            at: entry.resource.nameLocation,
                            notes: [.init("\(earlier.resource.id) is here", at: earlier.resource.nameLocation)]))
                }
                break
            }
            let span = rule.ports.reduce(0) { $0 + $1.upper - $1.lower + 1 }
            if rule.ports.isEmpty || span > 4096 {
                wide.append(index)
            } else {
                for range in rule.ports {
                    for port in range.lower...range.upper { byPort[port, default: []].append(index) }
                }
            }
        }
    }

    /// True when every packet `inner` matches is also matched by `outer`.
    static func covers(_ outer: FirewallRuleSpec, _ inner: FirewallRuleSpec) -> Bool {
        guard outer.ruleProtocol == .any || outer.ruleProtocol == inner.ruleProtocol else { return false }
        if let interface = outer.interface, interface != inner.interface { return false }
        if !outer.ports.isEmpty {
            guard !inner.ports.isEmpty,
                inner.ports.allSatisfy({ range in
                    outer.ports.contains { $0.lower <= range.lower && range.upper <= $0.upper }
                })
            else { return false }
        }
        if !outer.from.isEmpty {
            let outerNetworks = outer.from.compactMap { CIDR($0) }
            guard !inner.from.isEmpty,
                inner.from.allSatisfy({ text in
                    guard let network = CIDR(text) else { return false }
                    return outerNetworks.contains { $0.contains(network) }
                })
            else { return false }
        }
        return true
    }
}
