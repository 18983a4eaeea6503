import ChainbotCore

/// Desired against observed for the detail view, from the agent's last look at the resource: the facets
/// that differed, words as observed → desired, texts as the unified diff `chainbot diff` prints (the same
/// `FieldChange.texts` and `UnifiedDiff`), each line escaped and marked added or removed.
enum StatusPageDiff {
    static func html(_ look: StatusPagePlans.Entry?) -> String {
        guard let look else {
            return "<p>The agent has not looked at it since it started; it will on its next pass.</p>"
        }
        let at = "<time>\(look.at.iso8601)</time>"
        let plan = look.plan
        var out: String
        switch look.outcome {
        case .unchanged: out = "<p>Matched the manifests at the last look (\(at)).</p>"
        case .applied: out = "<p>The last look (\(at)) found these differences and corrected them:</p>"
        case .failed: out = "<p>The last look (\(at)) found these differences; correcting them failed:</p>"
        case .reported:
            let why =
                plan.held.map { "held (\($0))" }
                ?? (plan.action == .warn ? "drift policy warn" : "it left the manifests; apply --prune removes it")
            out =
                "<p>The last look (\(at)) found these differences, reported, not corrected: \(StatusPage.escape(why)).</p>"
        }
        if !plan.changes.isEmpty { out += changes(plan.changes) }
        if !look.steps.isEmpty {
            out += "<p>Steps planned: \(StatusPage.escape(look.steps.joined(separator: "; "))).</p>"
        }
        for note in plan.notes { out += "<p class=\"why\">note: \(StatusPage.escape(note))</p>" }
        for (facet, why) in plan.unobserved.sorted(by: { $0.key < $1.key }) {
            out += "<p class=\"why\">not compared: \(StatusPage.escape(facet)): \(StatusPage.escape(why))</p>"
        }
        return out
    }

    /// A table of word changes, and one diff block per text change.
    static func changes(_ changes: [FieldChange]) -> String {
        var rows = ""
        var texts = ""
        for change in changes {
            if let pair = change.texts {
                texts += "<h3>\(StatusPage.escape(change.facet))</h3>\n" + diff(old: pair.old, new: pair.new)
            } else {
                rows += """
                    <tr><td>\(StatusPage.escape(change.facet))</td><td>\(StatusPage.escape(change.from.description))</td>\
                    <td>\(StatusPage.escape(change.to.description))</td></tr>

                    """
            }
        }
        let table =
            rows.isEmpty
            ? ""
            : """
            <table><thead><tr><th>Field</th><th>Observed</th><th>Desired</th></tr></thead><tbody>
            \(rows)</tbody></table>

            """
        return table + texts
    }

    /// The unified diff from `old` (observed) to `new` (desired), one span per line.
    static func diff(old: String, new: String) -> String {
        let lines = UnifiedDiff.lines(from: old, to: new).map { line -> String in
            let kind =
                line.hasPrefix("@@") ? "hunk" : line.hasPrefix("+") ? "add" : line.hasPrefix("-") ? "del" : "same"
            return #"<span class="\#(kind)">\#(StatusPage.escape(line))</span>"#
        }
        return #"<pre class="diff">"# + lines.joined() + "</pre>\n"
    }
}
