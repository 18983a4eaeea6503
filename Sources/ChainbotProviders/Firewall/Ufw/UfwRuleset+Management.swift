import ChainbotCore

extension UfwRuleset {
    /// Why a management port might not be reachable in `observed`, one line per port; empty when all are.
    ///
    /// UFW is off (everything passes), or for each port the first rule in list order that can match TCP to it
    /// is an `allow` from anywhere on any interface (a narrower allow before it is harmless and skipped; a
    /// `deny`, `reject` or `limit` is a problem); with no such rule the default policy must be `allow`. Rules
    /// chainbot cannot model (route, outgoing, app) are not considered.
    public func managementProblems(in observed: ObservedUfw) -> [String] {
        guard observed.active else { return [] }
        var problems: [String] = []
        for port in managementPorts {
            let candidates = observed.rules.compactMap { entry in
                entry.rule.map { (entry, $0) }
            }.filter { _, rule in
                (rule.networkProtocol == nil || rule.networkProtocol == "tcp")
                    && (rule.ports.isEmpty || rule.ports.contains { $0.contains(port) })
            }
            var settled = false
            for (entry, rule) in candidates {
                if rule.action != .allow {
                    problems.append(
                        "\(port)/tcp: '\(entry.statement)' (\(entry.owner ?? "added by hand")) comes first")
                    settled = true
                    break
                }
                if rule.from == nil, rule.interface == nil {
                    settled = true
                    break
                }
            }
            if !settled, observed.policy != .allow {
                problems.append("\(port)/tcp: no rule allows it and the default incoming policy is \(observed.policy)")
            }
        }
        return problems
    }
}
