import ChainbotCore
import ChainbotHTTP
import ChainbotStore

/// The status page's routes on the agent endpoint: `/` (the summary, `?show=` and `?kind=` filter it),
/// `/resources/KIND/NAME` (one resource) and `/history` (revisions with their steps). Each page is read
/// from the store when it is asked for; the token was checked before.
extension AgentEndpoint {
    /// How many of the latest revisions a detail view searches for the resource's steps.
    static let detailRevisions = 10

    /// The page for `request`, or nil when its path is none of the status page's.
    func statusPage(_ request: HTTPRequest) -> HTTPResponse? {
        let path = request.path
        switch path {
        case "/", "/index.html":
            return Self.page(200, StatusPage.html(statusJSON(), summaryExtras(request)))
        case "/history":
            let details = ((try? store.revisions(limit: StatusPageHistory.pageLimit)) ?? []).compactMap {
                (try? store.revision($0.id)) ?? nil
            }
            return Self.page(200, StatusPageHistory.page(details, since: latestSequence))
        default:
            guard path.hasPrefix("/resources/") else { return nil }
            return detailPage(String(path.dropFirst("/resources/".count)))
        }
    }

    private var latestSequence: Int64 { (try? store.latestEventSequence()) ?? 0 }

    private func summaryExtras(_ request: HTTPRequest) -> StatusPage.Extras {
        var extras = StatusPage.Extras()
        extras.filter = StatusPageFilter(query: request.query)
        extras.since = latestSequence
        extras.revisions = (try? store.revisions(limit: StatusPageHistory.recentLimit)) ?? []
        extras.facts = StatusPageConditions.Facts(store: store)
        return extras
    }

    /// `/resources/KIND/NAME` (kind and name percent-decoded, the kind in any case); 404 with a link back
    /// for a resource the store has no status of.
    private func detailPage(_ rest: String) -> HTTPResponse {
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard segments.count == 2, let kindText = Self.percentDecoded(segments[0]),
            let name = Self.percentDecoded(segments[1]),
            let report = try? StatusReport(store: store, statePath: statePath),
            let status = report.statuses.first(where: {
                $0.kind.lowercased() == kindText.lowercased() && $0.name == name
            })
        else {
            let body = """
                <header><h1><a href="\(StatusPageDetail.root)">chainbot</a></h1></header>
                <p>No resource \(StatusPage.escape(rest)) is recorded. <a href="\(StatusPageDetail.root)">All resources</a></p>
                """
            let html = StatusPage.document(
                title: "chainbot — not found", root: StatusPageDetail.root, since: latestSequence, body: body)
            return Self.page(404, html)
        }
        var detail = StatusPageDetail(resource: report.json(status))
        detail.since = latestSequence
        if let kind = Kind(rawValue: status.kind) { detail.look = plans.entry(ResourceID(kind, status.name)) }
        detail.applied = (try? store.applied(kind: status.kind, name: status.name)) ?? nil
        detail.steps = steps(of: status)
        detail.events = ((try? store.events(since: Timestamp.now().advanced(by: .seconds(-86_400)))) ?? [])
            .filter { $0.event.regarding == status.reference }.suffix(50).map(Self.eventJSON)
        return Self.page(200, detail.html())
    }

    /// The resource's steps in the latest revisions, newest revision first.
    private func steps(of status: ResourceStatus) -> [(revision: Revision, step: RevisionStep)] {
        var found: [(revision: Revision, step: RevisionStep)] = []
        for revision in (try? store.revisions(limit: Self.detailRevisions)) ?? [] {
            guard let detail = (try? store.revision(revision.id)) ?? nil else { continue }
            for step in detail.steps where step.kind == status.kind && step.name == status.name {
                found.append((revision, step))
            }
        }
        return found
    }

    static func page(_ status: Int, _ html: String) -> HTTPResponse {
        response(status, "text/html; charset=utf-8", html)
    }
}
