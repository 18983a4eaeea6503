import ChainbotCore

/// The agent's own conditions, above the resources: what keeps the host from following the manifests
/// (invalid manifests, a git source not followed), what keeps ALEX OS from hearing about it (unreachable,
/// a backlog), and what holds the agent back on purpose (a pin, suspended resources).
struct StatusPageConditions {
    /// Facts the status JSON does not carry, read from the store by the endpoint.
    struct Facts: Sendable, Hashable {
        /// Events waiting in the outbox.
        var outboxBacklog = 0
        /// The oldest waiting event's delivery attempts and the last one's error.
        var outboxAttempts = 0
        var outboxError: String?
        /// When the oldest waiting event was queued.
        var outboxSince: Timestamp?
        /// Suspended resources: `Kind/name`, until when, why.
        var suspensions: [Suspension] = []
    }

    struct Condition: Hashable {
        enum Severity: String { case failing, warning, info }
        /// What the condition is about (`type` in JSON).
        enum Kind: String {
            case manifestsInvalid, gitNotFollowed, alexOSUnreachable, outboxBacklog, agentWarnings, pinned, suspended
        }
        var kind: Kind
        var severity: Severity
        var title: String
        var message: String
        /// Text shown as it is, in a block (a diagnostic, git's words).
        var detail: String?
    }

    /// Agent-level warnings: about the manifests or the agent, never about one managed resource.
    static let agentReasons: [Event.Reason] = [
        .manifestInvalid, .gitSyncFailed, .gitVerifyFailed, .gitRemoteFailed, .outboxOverflow, .firewallRevertFailed,
        .applyInterrupted,
    ]

    static func conditions(_ status: JSONValue, _ facts: Facts, now: Timestamp = .now()) -> [Condition] {
        let agent = status["agent"]
        var found: [Condition] = []
        let manifestProblem = agent?["manifestProblem"]?.string
        let gitProblem = agent?["gitProblem"]?.string
        if let manifestProblem {
            found.append(
                Condition(
                    kind: .manifestsInvalid, severity: .failing, title: "Manifests invalid",
                    message: "The last good manifests stay in force.",
                    detail: manifestProblem))
        }
        if let gitProblem {
            found.append(
                Condition(
                    kind: .gitNotFollowed, severity: .failing, title: "Git source not followed",
                    message: "The last good commit stays in force.", detail: gitProblem))
        }
        found += outbox(facts, now: now)
        found += recentWarnings(
            status["events"]?.array ?? [], skipManifests: manifestProblem != nil, skipGit: gitProblem != nil)
        found += holds(agent, facts)
        return found
    }

    /// ALEX OS unreachable (a waiting event whose delivery failed), or a backlog older than five minutes.
    private static func outbox(_ facts: Facts, now: Timestamp) -> [Condition] {
        guard facts.outboxBacklog > 0 else { return [] }
        let waiting = "\(facts.outboxBacklog) event\(facts.outboxBacklog == 1 ? "" : "s") waiting in the outbox"
        if let error = facts.outboxError, facts.outboxAttempts > 0 {
            return [
                Condition(
                    kind: .alexOSUnreachable, severity: .failing, title: "ALEX OS unreachable",
                    message: "\(waiting); delivery failed \(facts.outboxAttempts) time"
                        + "\(facts.outboxAttempts == 1 ? "" : "s") (nothing is lost, retried with backoff).",
                    detail: error)
            ]
        }
        guard let since = facts.outboxSince, now.duration(since: since) >= .seconds(300) else { return [] }
        return [
            Condition(
                kind: .outboxBacklog, severity: .warning, title: "Outbox backlog",
                message: "\(waiting) since \(since.iso8601).", detail: nil)
        ]
    }

    /// Agent-level Warning events on the page, unless a condition above already says the same: the summary
    /// never reads "All in sync" while they are listed.
    private static func recentWarnings(_ events: [JSONValue], skipManifests: Bool, skipGit: Bool) -> [Condition] {
        let git: Set<Event.Reason> = [.gitSyncFailed, .gitVerifyFailed, .gitRemoteFailed]
        var seen: [(reason: String, count: Int, last: String)] = []
        for event in events where event["type"]?.string == Event.EventType.warning.rawValue {
            guard let word = event["reason"]?.string else { continue }
            let reason = Event.Reason(rawValue: word)
            guard agentReasons.contains(reason), !(skipGit && git.contains(reason)),
                !(skipManifests && reason == .manifestInvalid)
            else { continue }
            let count = event["count"]?.int ?? 1
            let last = event["lastSeen"]?.string ?? ""
            if let index = seen.firstIndex(where: { $0.reason == word }) {
                seen[index].count += count
                seen[index].last = max(seen[index].last, last)
            } else {
                seen.append((word, count, last))
            }
        }
        guard !seen.isEmpty else { return [] }
        let list = seen.map { "\($0.reason) ×\($0.count) (last \($0.last))" }.joined(separator: ", ")
        return [
            Condition(
                kind: .agentWarnings, severity: .warning, title: "Agent warnings in the last hour",
                message: list + "; see the events below.", detail: nil)
        ]
    }

    /// A pin in force and suspended resources: on purpose, shown so nobody wonders why nothing changes.
    private static func holds(_ agent: JSONValue?, _ facts: Facts) -> [Condition] {
        var found: [Condition] = []
        if let pin = agent?["pin"], let revision = pin["revision"]?.int {
            let reason = pin["reason"]?.string.flatMap { $0.isEmpty ? nil : ": " + $0 } ?? ""
            found.append(
                Condition(
                    kind: .pinned, severity: .info, title: "Pinned to revision \(revision)",
                    message: "Revision \(revision) is applied instead of the manifests"
                        + (pin["since"]?.string.map { " since \($0)" } ?? "") + reason
                        + "; chainbot unpin follows them again.", detail: nil))
        }
        if !facts.suspensions.isEmpty {
            let list = facts.suspensions.map { "\($0.kind)/\($0.name) until \($0.until.iso8601)" }
            found.append(
                Condition(
                    kind: .suspended, severity: .info,
                    title: "\(facts.suspensions.count) resource\(facts.suspensions.count == 1 ? "" : "s") suspended",
                    message: list.joined(separator: ", ") + ": reported, changed by nothing until resumed.",
                    detail: nil))
        }
        return found
    }

    /// The conditions as sections; none when the list is empty.
    static func html(_ conditions: [Condition]) -> String {
        conditions.map { condition in
            let detail = condition.detail.map { #"<pre class="problem">\#(StatusPage.escape($0))</pre>"# } ?? ""
            return """
                <section class="condition \(condition.severity.rawValue)"><h2>\(StatusPage.escape(condition.title))</h2>\
                <p>\(StatusPage.escape(condition.message))</p>\(detail)</section>

                """
        }.joined()
    }
}
