/// Renders an `NftRuleset` as an `nft -f` file that replaces only `table inet chainbot`, in one transaction.
public enum NftRenderer {
    /// The file text. The first line creates the table when it is missing so the `delete` cannot fail; nft
    /// loads the whole file as one transaction, so other tables are never touched and a failed load changes
    /// nothing. Never `flush ruleset`.
    public static func render(_ ruleset: NftRuleset) -> String {
        let table = "table \(NftRuleset.family) \(NftRuleset.table)"
        var text = "\(table)\ndelete \(table)\n\(table) {\n"
        text += "\tchain \(NftRuleset.chain) {\n"
        text += "\t\ttype filter hook input priority filter; policy \(ruleset.policy.rawValue);\n"
        for rule in ruleset.rules { text += "\t\t\(rule)\n" }
        text += "\t}\n}\n"
        return text
    }
}
