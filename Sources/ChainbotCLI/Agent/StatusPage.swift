import ChainbotCore

/// The agent's read-only status page: plain HTML and CSS rendered on the server (no build step, no
/// external assets), refreshed every 10 s; a few lines of script add live events from
/// `/api/v1/events/stream` where the browser runs them. Made to be embedded in the ChainBot GUI's
/// Watchtower tab as well as opened directly.
enum StatusPage {
    static func html(_ status: JSONValue) -> String {
        let agent = status["agent"]
        let counts = status["counts"]
        let resources = status["resources"]?.array ?? []
        let events = status["events"]?.array ?? []
        let total = counts?["total"]?.int ?? 0
        let outOfSync = counts?["outOfSync"]?.int ?? 0
        let degraded = counts?["degraded"]?.int ?? 0
        let problem = agent?["manifestProblem"]?.string
        let gitProblem = agent?["gitProblem"]?.string
        let overall =
            problem != nil
            ? ("unhealthy", "Manifests invalid")
            : (outOfSync + degraded > 0 || gitProblem != nil
                ? ("degraded", "Needs attention") : ("healthy", "All in sync"))
        let rows = resourceRows(resources)
        let eventRows = eventItems(events)
        let lastSync = agent?["lastSync"]?.string ?? "never"
        var generation = String((agent?["generation"]?.string ?? "-").prefix(19))
        if let pinned = agent?["pin"]?["revision"]?.int {
            generation = "pinned to revision \(pinned)"
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="10">
            <title>chainbot — \(escape(overall.1))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <header><h1>chainbot</h1><span class="summary \(overall.0)">\(escape(overall.1))</span>
            <span class="meta">last sync \(escape(lastSync)) · generation \(escape(generation))</span></header>
            <div class="cards"><div class="card"><b>\(total)</b>resources</div>\
            <div class="card"><b>\(total - outOfSync)</b>in sync</div>\
            <div class="card"><b>\(outOfSync)</b>out of sync</div>\
            <div class="card"><b>\(degraded)</b>degraded or missing</div></div>
            \(problem.map { "<h2>Manifests invalid</h2><p>The last good manifests stay in force.</p><pre class=\"problem\">\(escape($0))</pre>" } ?? "")
            \(gitProblem.map { "<h2>Git source not followed</h2><p>The last good commit stays in force.</p><pre class=\"problem\">\(escape($0))</pre>" } ?? "")
            <h2>Resources</h2>
            <table><thead><tr><th>Kind</th><th>Name</th><th>Sync</th><th>Health</th><th>Why</th></tr></thead>
            <tbody>
            \(rows.isEmpty ? "<tr><td colspan=\"5\">No resources yet.</td></tr>" : rows)
            </tbody></table>
            <h2>Events</h2>
            <ul class="events" id="events">
            \(eventRows.isEmpty ? "<li>No events in the last hour.</li>" : eventRows)
            </ul>
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
    }

    /// One table row per resource: kind, name (held when suspended), sync, health, and why not.
    private static func resourceRows(_ resources: [JSONValue]) -> String {
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
                <td><span class="pill \(escape(sync.lowercased()))">\(escape(sync))</span></td>\
                <td><span class="pill \(escape(health.lowercased()))">\(escape(health))</span></td>\
                <td class="why">\(escape(why))</td></tr>

                """
        }
        return rows
    }

    /// One list item per event, newest first.
    private static func eventItems(_ events: [JSONValue]) -> String {
        var eventRows = ""
        for event in events.reversed() {
            let type = event["type"]?.string ?? ""
            eventRows += """
                <li class="\(escape(type.lowercased()))"><time>\(escape(event["lastSeen"]?.string ?? ""))</time> \
                <b>\(escape(event["reason"]?.string ?? ""))</b> \
                \(escape(event["regarding"]?.string ?? "")): \(escape(event["message"]?.string ?? ""))</li>

                """
        }
        return eventRows
    }

    /// The page's CSS: light and dark, no external assets.
    private static let style = """
        :root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #6e7781; }
        body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 72rem; }
        header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
        h1 { font-size: 1.4rem; margin: 0; }
        .summary { font-size: 1.1rem; font-weight: 600; }
        .summary.healthy { color: var(--ok); } .summary.degraded { color: var(--warn); } .summary.unhealthy { color: var(--bad); }
        .meta { color: var(--muted); }
        .cards { display: flex; gap: .75rem; margin: 1rem 0; flex-wrap: wrap; }
        .card { border: 1px solid #d0d7de; border-radius: 8px; padding: .6rem 1rem; min-width: 8rem; }
        .card b { display: block; font-size: 1.5rem; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
        th { font-weight: 600; color: var(--muted); }
        .pill { border-radius: 999px; padding: .05rem .55rem; font-size: .85rem; border: 1px solid currentColor; }
        .synced, .healthy { color: var(--ok); } .outofsync, .progressing, .degraded { color: var(--warn); }
        .missing, .unknown { color: var(--bad); }
        .why { color: var(--muted); } .held { color: var(--muted); font-style: italic; }
        pre.problem { background: #fff8c5; color: #3b2300; padding: .75rem; overflow-x: auto; }
        ul.events { list-style: none; padding: 0; } ul.events li { padding: .25rem 0; border-bottom: 1px dashed #d0d7de; }
        ul.events li.warning b { color: var(--bad); } time { color: var(--muted); font-variant-numeric: tabular-nums; }
        """

    /// The reasons the page shows live as their events arrive.
    static let liveReasons: [Event.Reason] = [
        .driftDetected, .applied, .applyFailed, .pruned, .healthChanged, .firewallReverted, .manifestInvalid,
    ]

    /// Live events from the agent's stream where the browser runs scripts.
    private static let script = """
        if (window.EventSource) {
          const list = document.getElementById("events");
          const source = new EventSource("api/v1/events/stream");
          [\(liveReasons.map { "\"\($0.rawValue)\"" }.joined(separator: ","))].forEach(kind =>
            source.addEventListener(kind, e => {
              const ev = JSON.parse(e.data), li = document.createElement("li");
              li.className = ev.type.toLowerCase();
              li.textContent = ev.lastSeen + " " + ev.reason + " " + ev.regarding + ": " + ev.message;
              list.prepend(li);
            }));
        }
        """

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
