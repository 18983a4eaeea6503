import ChainbotCore

/// Which resources the status page lists: `?show=outofsync|degraded|held` and `?kind=Service`, read on
/// the server so that the links and the form work without JavaScript.
struct StatusPageFilter: Sendable, Hashable {
    enum Show: String, Sendable, Hashable, CaseIterable {
        case all
        case outOfSync = "outofsync"
        case degraded
        case held

        var label: String {
            switch self {
            case .all: "All"
            case .outOfSync: "Out of sync"
            case .degraded: "Degraded or missing"
            case .held: "Held"
            }
        }
    }

    var show: Show = .all
    /// A kind's name as the resources spell it (`Service`); nil for every kind.
    var kind: String?

    init(show: Show = .all, kind: String? = nil) {
        self.show = show
        self.kind = kind
    }

    /// The filter a query asks for; unknown values mean no filter (the page never fails over a query).
    init(query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let value = AgentEndpoint.percentDecoded(String(parts[1])) else { continue }
            switch parts[0] {
            case "show": show = Show(rawValue: value.lowercased()) ?? .all
            case "kind": kind = Kind.allCases.first { $0.rawValue.lowercased() == value.lowercased() }?.rawValue
            default: continue
            }
        }
    }

    var isEmpty: Bool { show == .all && kind == nil }

    /// Whether a resource (as `/api/v1/resources` shows it) is listed.
    func admits(_ resource: JSONValue) -> Bool {
        if let kind, resource["kind"]?.string != kind { return false }
        switch show {
        case .all: return true
        case .outOfSync: return resource["sync"]?.string == ResourceStatus.Sync.outOfSync.rawValue
        case .degraded:
            let health = resource["health"]?.string
            return health == Health.degraded.rawValue || health == Health.missing.rawValue
        case .held: return resource["suspended"]?.bool == true
        }
    }

    /// The query that selects `show` with this filter's kind (`?show=degraded&kind=Service`), or `?` alone.
    func query(show: Show) -> String {
        var parts: [String] = []
        if show != .all { parts.append("show=" + show.rawValue) }
        if let kind { parts.append("kind=" + kind) }
        return "?" + parts.joined(separator: "&")
    }

    /// The links and the kind form above the table; the current choice is marked.
    func bar(_ resources: [JSONValue]) -> String {
        let links = Show.allCases.map { choice -> String in
            let count = resources.count { StatusPageFilter(show: choice, kind: kind).admits($0) }
            let current = choice == show ? #" aria-current="true""# : ""
            return #"<a href="\#(StatusPage.escape(query(show: choice)))"\#(current)>\#(choice.label) (\#(count))</a>"#
        }
        let kinds = Set(resources.compactMap { $0["kind"]?.string })
        let options = Kind.allCases.map(\.rawValue).filter(kinds.contains).map { name in
            let selected = name == kind ? " selected" : ""
            return #"<option value="\#(StatusPage.escape(name))"\#(selected)>\#(StatusPage.escape(name))</option>"#
        }
        let hidden = show == .all ? "" : #"<input type="hidden" name="show" value="\#(show.rawValue)">"#
        return """
            <nav class="filters">\(links.joined(separator: " "))
            <form method="get" action="">\(hidden)<label>Kind <select name="kind"><option value="">all</option>\
            \(options.joined())</select></label> <button type="submit">Filter</button></form></nav>
            """
    }
}
