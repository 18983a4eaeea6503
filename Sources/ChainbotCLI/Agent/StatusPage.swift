import ChainbotCore

/// The agent's read-only status page: plain HTML and CSS rendered on the server (no build step, no
/// external assets), kept current over the agent's WebSocket where the browser runs the page's script
/// (and reloaded every 10 s where it does not). Made to be embedded in the ChainBot GUI's Watchtower tab as
/// well as opened directly. This is the summary at `/`: the agent's conditions, the resources (filtered
/// by `?show=` and `?kind=`), the latest revisions and events; each resource links to its detail view
/// (`StatusPageDetail`), the revisions to the history (`StatusPageHistory`).
enum StatusPage {
    /// What the summary shows besides the status JSON (`/api/v1/status`).
    struct Extras: Sendable {
        var facts = StatusPageConditions.Facts()
        var filter = StatusPageFilter()
        /// The latest revisions, newest first.
        var revisions: [Revision] = []
        /// The store's last event change when the page was made (see `document`).
        var since: Int64 = 0
    }

    static func html(_ status: JSONValue, _ extras: Extras = Extras()) -> String {
        let agent = status["agent"]
        let resources = status["resources"]?.array ?? []
        let conditions = StatusPageConditions.conditions(status, extras.facts)
        let overall = headline(status, conditions)
        var generation = String((agent?["generation"]?.string ?? "-").prefix(19))
        if let pinned = agent?["pin"]?["revision"]?.int {
            generation = "pinned to revision \(pinned)"
        }
        let listed = resources.filter(extras.filter.admits)
        let body = """
            <header><h1><a href="">chainbot</a></h1><span class="summary \(overall.0)">\(escape(overall.1))</span>
            <span class="meta">last sync \(escape(agent?["lastSync"]?.string ?? "never")) · generation \
            \(escape(generation))</span></header>
            \(cards(status["counts"]))
            \(StatusPageConditions.html(conditions))
            <h2>Resources</h2>
            \(extras.filter.bar(resources))
            <table><thead><tr><th>Kind</th><th>Name</th><th>Sync</th><th>Health</th><th>Why</th><th></th></tr></thead>
            <tbody>
            \(listed.isEmpty ? emptyRow(extras.filter, any: !resources.isEmpty) : resourceRows(listed))
            </tbody></table>
            \(StatusPageHistory.recent(extras.revisions, root: ""))
            <h2>Events</h2>
            <ul class="events" id="events">
            \(eventItems(status["events"]?.array ?? [], root: ""))
            </ul>
            """
        return document(title: "chainbot — \(overall.1)", root: "", since: extras.since, body: body)
    }

    /// The class and words of the headline: invalid manifests first, then anything that needs attention
    /// (a resource out of sync or unhealthy, an agent-level failure or warning), else all in sync.
    static func headline(_ status: JSONValue, _ conditions: [StatusPageConditions.Condition]) -> (String, String) {
        let counts = status["counts"]
        let outOfSync = counts?["outOfSync"]?.int ?? 0
        let degraded = counts?["degraded"]?.int ?? 0
        if status["agent"]?["manifestProblem"]?.string != nil { return ("unhealthy", "Manifests invalid") }
        if outOfSync + degraded > 0 || conditions.contains(where: { $0.severity != .info }) {
            return ("degraded", "Needs attention")
        }
        return ("healthy", "All in sync")
    }

    private static func cards(_ counts: JSONValue?) -> String {
        let total = counts?["total"]?.int ?? 0
        let outOfSync = counts?["outOfSync"]?.int ?? 0
        let degraded = counts?["degraded"]?.int ?? 0
        return """
            <div class="cards"><div class="card"><b>\(total)</b>resources</div>\
            <div class="card"><b>\(total - outOfSync)</b>in sync</div>\
            <div class="card"><a href="?show=outofsync"><b>\(outOfSync)</b>out of sync</a></div>\
            <div class="card"><a href="?show=degraded"><b>\(degraded)</b>degraded or missing</a></div></div>
            """
    }

    private static func emptyRow(_ filter: StatusPageFilter, any: Bool) -> String {
        let words = any && !filter.isEmpty ? "No resources match this filter." : "No resources yet."
        return "<tr><td colspan=\"6\">\(words)</td></tr>"
    }

    /// One table row per resource: kind, name (held when suspended), sync, health, why not, and the link to
    /// its detail view.
    static func resourceRows(_ resources: [JSONValue]) -> String {
        var rows = ""
        for resource in resources {
            let kind = resource["kind"]?.string ?? ""
            let name = resource["name"]?.string ?? ""
            let sync = resource["sync"]?.string ?? ""
            let health = resource["health"]?.string ?? ""
            let conditions = resource["conditions"]?.array ?? []
            let why =
                conditions.compactMap { condition -> String? in
                    guard condition["status"]?.bool == false else { return nil }
                    return condition["message"]?.string
                }.first ?? ""
            // A suspended resource is held: reported, changed by nothing until resumed.
            let held = resource["suspended"]?.bool == true ? #" <span class="pill held">held</span>"# : ""
            rows += """
                <tr><td>\(escape(kind))</td><td>\(escape(name))\(held)</td>\
                <td>\(pill(sync))</td><td>\(pill(health))</td><td class="why">\(escape(why))</td>\
                <td><a href="\(resourceLink(kind: kind, name: name, root: ""))">details</a></td></tr>

                """
        }
        return rows
    }

    /// A word in a pill coloured by its class (`Synced`, `Degraded`, `failed`).
    static func pill(_ word: String) -> String {
        #"<span class="pill \#(escape(word.lowercased()))">\#(escape(word))</span>"#
    }

    /// One list item per event, newest first; an event about a resource links to it.
    static func eventItems(_ events: [JSONValue], root: String) -> String {
        guard !events.isEmpty else { return "<li>No events in the last hour.</li>" }
        var items = ""
        for event in events.reversed() {
            let type = event["type"]?.string ?? ""
            let regarding = event["regarding"]?.string ?? ""
            let parts = regarding.split(separator: "/", maxSplits: 1).map(String.init)
            let known = parts.count == 2 && Kind.allCases.contains { $0.rawValue == parts[0] }
            let about =
                known
                ? #"<a href="\#(resourceLink(kind: parts[0], name: parts[1], root: root))">\#(escape(regarding))</a>"#
                : escape(regarding)
            let count = (event["count"]?.int ?? 1) > 1 ? " ×\(event["count"]?.int ?? 1)" : ""
            items += """
                <li class="\(escape(type.lowercased()))"><time>\(escape(event["lastSeen"]?.string ?? ""))</time> \
                <b>\(escape(event["reason"]?.string ?? ""))</b>\(count) \
                \(about): \(escape(event["message"]?.string ?? ""))</li>

                """
        }
        return items
    }
}
