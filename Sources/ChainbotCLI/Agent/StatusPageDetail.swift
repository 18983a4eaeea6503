import ChainbotCore

/// One resource's page (`/resources/KIND/NAME`), as Argo CD's resource view: its conditions with their
/// last transition, desired against observed with the current diff (from the agent's last look,
/// `StatusPagePlans`), the steps of recent revisions, the spec chainbot last applied, and its events.
struct StatusPageDetail {
    /// The resource as `/api/v1/resources/KIND/NAME` shows it.
    var resource: JSONValue
    var look: StatusPagePlans.Entry?
    var applied: AppliedResource?
    /// This resource's steps in the latest revisions, newest revision first.
    var steps: [(revision: Revision, step: RevisionStep)] = []
    /// Its events (as `/api/v1/events` shows them), oldest first.
    var events: [JSONValue] = []
    var since: Int64 = 0

    static let root = "../../"

    func html() -> String {
        let kind = resource["kind"]?.string ?? ""
        let name = resource["name"]?.string ?? ""
        let reference = kind + "/" + name
        let held = resource["suspended"]?.bool == true ? #" <span class="pill held">held</span>"# : ""
        let body = """
            <header><h1><a href="\(Self.root)">chainbot</a></h1><span class="summary">\(StatusPage.escape(reference))\
            </span>\(StatusPage.pill(resource["sync"]?.string ?? "Unknown")) \
            \(StatusPage.pill(resource["health"]?.string ?? "Unknown"))\(held)
            <span class="meta">updated \(StatusPage.escape(resource["updatedAt"]?.string ?? "never")) · observed \
            generation \(StatusPage.escape(String((resource["observedGeneration"]?.string ?? "-").prefix(19))))\
            </span></header>
            <h2>Conditions</h2>
            \(conditions())
            <h2>Desired and observed</h2>
            \(StatusPageDiff.html(look))
            <h2>Steps in recent revisions</h2>
            \(stepRows())
            <h2>Last applied spec</h2>
            \(appliedSpec())
            <h2>Events</h2>
            <ul class="events">
            \(StatusPage.eventItems(events, root: Self.root))
            </ul>
            """
        return StatusPage.document(
            title: "chainbot — \(reference)", root: Self.root, since: since, body: body)
    }

    private func conditions() -> String {
        let conditions = resource["conditions"]?.array ?? []
        guard !conditions.isEmpty else { return "<p>No conditions recorded yet.</p>" }
        let rows = conditions.map { condition in
            let status = condition["status"]?.bool.map { $0 ? "True" : "False" } ?? "Unknown"
            return """
                <tr><td>\(StatusPage.escape(condition["type"]?.string ?? ""))</td><td>\(StatusPage.pill(status))</td>\
                <td>\(StatusPage.escape(condition["reason"]?.string ?? ""))</td>\
                <td>\(StatusPage.escape(condition["message"]?.string ?? ""))</td>\
                <td><time>\(StatusPage.escape(condition["lastTransitionTime"]?.string ?? ""))</time></td></tr>
                """
        }
        return """
            <table><thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Last transition</th>\
            </tr></thead><tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
    }

    private func stepRows() -> String {
        guard !steps.isEmpty else { return "<p>No steps in the latest revisions.</p>" }
        let rows = steps.map { entry in
            let error = entry.step.error.map { #" <span class="why">\#(StatusPage.escape($0))</span>"# } ?? ""
            return """
                <tr><td><a href="\(Self.root)history#revision-\(entry.revision.id)">\(entry.revision.id)</a></td>\
                <td><time>\(entry.step.startedAt.iso8601)</time></td><td>\(StatusPage.escape(entry.step.action))</td>\
                <td>\(StatusPage.pill(entry.step.outcome.rawValue))\(error)</td></tr>
                """
        }
        return """
            <table><thead><tr><th>Revision</th><th>Started</th><th>Step</th><th>Outcome</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table>
            """
    }

    private func appliedSpec() -> String {
        guard let applied else { return "<p>chainbot has not applied it (yet).</p>" }
        let spec = (try? JSONValue(parsing: applied.specJSON))?.serialized(pretty: true) ?? applied.specJSON
        let origin = applied.createdByChainbot ? "created by chainbot" : "adopted (it existed before chainbot)"
        return """
            <p>Applied <time>\(applied.appliedAt.iso8601)</time> from generation \
            \(StatusPage.escape(String(applied.generation.prefix(19)))), \(origin). Secret values show only as digests.</p>
            <details><summary>Spec</summary><pre>\(StatusPage.escape(spec))</pre></details>
            """
    }
}
