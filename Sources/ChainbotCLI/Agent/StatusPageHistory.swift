import ChainbotCore
import ChainbotEngine

/// The revision history on the status page: the latest revisions on the summary, and `/history` with
/// each revision's steps (what `chainbot history REV` prints), folded so that a long one stays readable
/// without scripts.
enum StatusPageHistory {
    /// How many revisions `/history` shows.
    static let pageLimit = 20
    /// How many the summary shows.
    static let recentLimit = 5

    /// The summary's table of the latest revisions (newest first) and a link to the history.
    static func recent(_ revisions: [Revision], root: String) -> String {
        guard !revisions.isEmpty else { return "<h2>Revisions</h2><p>No revisions yet.</p>" }
        let rows = revisions.prefix(recentLimit).map { revision in
            """
            <tr><td><a href="\(StatusPage.escape(root))history#revision-\(revision.id)">\(revision.id)</a></td>\
            <td><time>\(revision.startedAt.iso8601)</time></td><td>\(outcome(revision))</td>\
            <td>\(StatusPage.escape(String(revision.generation.prefix(19))))</td></tr>
            """
        }
        return """
            <h2>Revisions</h2>
            <table><thead><tr><th>Revision</th><th>Started</th><th>Outcome</th><th>Generation</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            <p><a href="\(StatusPage.escape(root))history">History with each revision's steps</a></p>
            """
    }

    /// `/history`: the latest revisions, each with its steps.
    static func page(_ details: [RevisionDetail], since: Int64) -> String {
        let items = details.enumerated().map { index, detail in
            revision(detail, open: index == 0)
        }
        let body = """
            <header><h1><a href="./">chainbot</a></h1><span class="summary">History</span>
            <span class="meta">the latest \(details.count) revisions, newest first</span></header>
            \(items.isEmpty ? "<p>No revisions yet.</p>" : items.joined(separator: "\n"))
            """
        return StatusPage.document(title: "chainbot — history", root: "", since: since, body: body)
    }

    /// One revision as a folded section: its facts, then its steps in the order they were recorded.
    static func revision(_ detail: RevisionDetail, open: Bool) -> String {
        let revision = detail.revision
        let summary = revision.summaryJSON.flatMap { SpecCoding.decode(RevisionSummary.self, from: $0) }
        let counts = summary.map { "\($0.changed) changed, \($0.failed) failed, \($0.pruned) pruned" } ?? ""
        let steps = detail.steps.enumerated().map { index, step in
            let error = step.error.map { #" <span class="why">\#(StatusPage.escape($0))</span>"# } ?? ""
            return """
                <tr><td>\(index + 1)</td>\
                <td><a href="\(StatusPage.resourceLink(kind: step.kind, name: step.name, root: ""))">\
                \(StatusPage.escape(step.kind + "/" + step.name))</a></td>\
                <td>\(StatusPage.escape(step.action))</td><td>\(StatusPage.pill(step.outcome.rawValue))\(error)</td></tr>
                """
        }
        let table =
            steps.isEmpty
            ? "<p>No steps: nothing had to change.</p>"
            : """
            <table><thead><tr><th>#</th><th>Resource</th><th>Step</th><th>Outcome</th></tr></thead>
            <tbody>\(steps.joined(separator: "\n"))</tbody></table>
            """
        return """
            <details id="revision-\(revision.id)"\(open ? " open" : "")><summary><b>Revision \(revision.id)</b> · \
            \(outcome(revision)) · <time>\(revision.startedAt.iso8601)</time> · generation \
            \(StatusPage.escape(String(revision.generation.prefix(19)))) · \(detail.steps.count) \
            step\(detail.steps.count == 1 ? "" : "s")\(counts.isEmpty ? "" : " · " + counts)</summary>
            \(table)
            </details>
            """
    }

    static func outcome(_ revision: Revision) -> String {
        StatusPage.pill(revision.outcome?.rawValue ?? "running")
    }
}
