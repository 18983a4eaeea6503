extension UfwRuleset {
    /// The commands that make `observed` this ruleset, leaving every rule without a chainbot tag alone unless
    /// ufw could not hold it beside a desired rule (same match: ufw keeps one rule per match).
    ///
    /// Order, so that the management ports are never shut: (1) the management rules go to the top of ufw's
    /// list with `ufw prepend` (a management rule found lower down, or a rule in its way, is deleted just
    /// before); (2) chainbot's other rules that are not desired, or not in desired order, are deleted by their
    /// exact spec (`ufw delete …`) and the missing ones appended in order; (3) `ufw default POLICY incoming`;
    /// (4) `ufw --force enable`, last of all.
    ///
    /// Order is compared as `ufw show added` lists rules: IPv4 and dual-stack rules first, then IPv6-only ones
    /// (ufw keeps one list per family, so the relative order of an IPv6-only and an IPv4-only rule means nothing).
    public func plan(from observed: ObservedUfw) -> UfwPlan {
        var deleted = Set<Int>()
        let (kept, management) = managementSteps(observed.rules, deleted: &deleted)
        var steps = management + orderSteps(observed.rules, below: kept, deleted: &deleted)

        // (3) and (4): only now that the management ports are allowed.
        if observed.policy != policy {
            steps.append(
                UfwPlan.Step(
                    arguments: ["default", policy.rawValue, "incoming"],
                    line: "~ default incoming \(observed.policy.rawValue) -> \(policy.rawValue)"))
        }
        if !observed.active {
            steps.append(UfwPlan.Step(arguments: ["--force", "enable"], line: "~ ufw inactive -> active"))
        }
        let foreign = observed.rules.enumerated().filter { !deleted.contains($0.offset) && $0.element.owner == nil }
        return UfwPlan(steps: steps, foreign: foreign.map { "\($0.element.statement) (added by hand)" })
    }

    /// (1) The leading run of observed management rules stays; the missing ones are prepended above it, and
    /// a rule lower down with the same match is deleted first. Returns how many observed rules lead.
    private func managementSteps(
        _ observedRules: [UfwObservedRule], deleted: inout Set<Int>
    ) -> (kept: Int, steps: [UfwPlan.Step]) {
        let management = managementRules
        var steps: [UfwPlan.Step] = []
        var kept: [UfwRule] = []
        for entry in observedRules {
            guard let rule = entry.rule, management.contains(rule), !kept.contains(rule) else { break }
            kept.append(rule)
        }
        let missing = management.filter { !kept.contains($0) }
        let missingKeys = Set(missing.map(\.key))
        for (index, entry) in observedRules.enumerated().dropFirst(kept.count)
        where entry.rule.map({ missingKeys.contains($0.key) }) == true {
            deleted.insert(index)
            steps.append(Self.deletion(entry, replacedBy: missing.first { $0.key == entry.rule?.key }))
        }
        for rule in missing.reversed() {
            steps.append(UfwPlan.Step(arguments: ["prepend"] + rule.arguments, line: Self.addition(rule)))
        }
        return (kept.count, steps)
    }

    /// (2) chainbot's other rules: those not desired go; of the rest, the longest prefix already in desired
    /// order stays and the others are deleted and appended again in order.
    private func orderSteps(
        _ observedRules: [UfwObservedRule], below kept: Int, deleted: inout Set<Int>
    ) -> [UfwPlan.Step] {
        let managementCount = managementRules.count
        var steps: [UfwPlan.Step] = []
        let others = Self.showAddedOrder(Array(rules.dropFirst(managementCount)))
        let wanted = Set(others)
        let owned = observedRules.indices.filter { index in
            index >= kept && !deleted.contains(index) && observedRules[index].owner != nil
        }
        let inOrder = owned.filter { index in observedRules[index].rule.map(wanted.contains) == true }
        var common = 0
        while common < inOrder.count, common < others.count, observedRules[inOrder[common]].rule == others[common] {
            common += 1
        }
        let stays = Set(inOrder.prefix(common))
        let appended = Set(others.dropFirst(common))
        let appendedKeys = Set(appended.map(\.key))
        for index in owned where !stays.contains(index) {
            deleted.insert(index)
            steps.append(Self.deletion(observedRules[index], replacedBy: nil))
        }
        for (index, entry) in observedRules.enumerated()
        where !deleted.contains(index) && entry.owner == nil
            && entry.rule.map({ appendedKeys.contains($0.key) }) == true
        {
            deleted.insert(index)
            steps.append(Self.deletion(entry, replacedBy: appended.first { $0.key == entry.rule?.key }))
        }
        // Appended in the desired order (not show-added order), so each family's own list is in desired order.
        for rule in rules.dropFirst(managementCount) where appended.contains(rule) {
            steps.append(UfwPlan.Step(arguments: rule.arguments, line: Self.addition(rule)))
        }
        return steps
    }

    /// `rules` in the order `ufw show added` prints them: IPv6-only rules (a source network in IPv6) last.
    static func showAddedOrder(_ rules: [UfwRule]) -> [UfwRule] {
        rules.filter { $0.from?.address.family != .v6 } + rules.filter { $0.from?.address.family == .v6 }
    }

    private static func addition(_ rule: UfwRule) -> String {
        "+ \(rule.statement) (\(rule.owner ?? "added by hand"))"
    }

    private static func deletion(_ entry: UfwObservedRule, replacedBy rule: UfwRule?) -> UfwPlan.Step {
        var label = entry.owner ?? "added by hand"
        if entry.owner == nil, let owner = rule?.owner { label += ", in the way of \(owner)" }
        return UfwPlan.Step(arguments: entry.deleteArguments, line: "- \(entry.statement) (\(label))")
    }
}
