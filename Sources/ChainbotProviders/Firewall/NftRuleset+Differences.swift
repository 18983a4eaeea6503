extension NftRuleset {
    /// What loading `self` would change in `observed`, one line each: `~ policy accept -> drop`,
    /// `- chain NAME (added by hand)` for a chain chainbot did not render,
    /// `- RULE (OWNER)` for a rule only `observed` has, `+ RULE (OWNER)` for one only `self` has.
    ///
    /// Rules compare as an ordered list (order matters in a chain) of normalized rules, so the same rule
    /// written differently (a set in another order, `10.0.0.1/32` for `10.0.0.1`) is equal. A rule without a
    /// chainbot tag is labelled "added by hand".
    public func differences(from observed: NftRuleset) -> [String] {
        var lines: [String] = []
        if policy != observed.policy {
            lines.append("~ policy \(observed.policy.rawValue) -> \(policy.rawValue)")
        }
        for name in observed.otherChains where !otherChains.contains(name) {
            lines.append("- chain \(name) (added by hand)")
        }
        let old = observed.rules
        let new = rules
        // Longest common subsequence, so a rule inserted in the middle shows as one line, not a cascade.
        var common = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                i += 1
                j += 1
            } else if j < new.count, i == old.count || common[i][j + 1] >= common[i + 1][j] {
                lines.append("+ " + Self.line(new[j]))
                j += 1
            } else {
                lines.append("- " + Self.line(old[i]))
                i += 1
            }
        }
        return lines
    }

    private static func line(_ rule: NftRule) -> String {
        "\(rule.statement) (\(rule.owner ?? "added by hand"))"
    }
}
