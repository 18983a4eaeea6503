public import ChainbotCore

/// The summary chainbot reports to ALEX OS as `health_report` events (DESIGN.md §6, §7): an overall
/// `status_id`, counts of resources by sync and health, the resources that are not synced and healthy,
/// and whether a person needs to look.
public struct HealthReport: Sendable, Hashable {
    /// One resource that is not Synced and Healthy (Progressing, settling after an apply, is not one).
    public struct Problem: Sendable, Hashable {
        /// `Kind/name`.
        public var resource: String
        public var sync: ResourceStatus.Sync
        public var health: Health
        /// The condition that explains it: the Synced one when not synced, else the Healthy one.
        public var reason: String
        /// The severity the resource asks for (a WatchtowerTarget's), else from its state.
        public var severity: Event.Severity
    }

    public var statusID: String
    public var synced: Int
    public var outOfSync: Int
    /// Resources whose sync or health is Unknown: neither counted as synced nor as healthy.
    public var unknown: Int
    public var degraded: Int
    public var total: Int
    public var requiresAttention: Bool
    public var reason: String
    public var problems: [Problem]
    /// The highest severity among the status and the problems.
    public var severity: Event.Severity
    /// chainbot's own version, for the seeds' `agent_version`.
    public var agentVersion: String?
    /// Which host of a fleet reports (its name and labels), when known.
    public var host: HostIdentity? = nil
    /// The manifest generation in force (a git commit, or a content hash), so ALEX OS shows which host
    /// runs which commit.
    public var generation: String? = nil

    /// `unhealthy` when the manifests are invalid or something is Missing; `degraded` when anything is out
    /// of sync, Degraded or Unknown; else `healthy`.
    public init(statuses: [ResourceStatus], manifestProblem: String? = nil) {
        self.init(statuses: statuses, manifestProblem: manifestProblem, agentVersion: nil, severities: [:])
    }

    /// The same, naming chainbot's `agentVersion` and using `severities` (by `Kind/name`, see
    /// `StatusBuilder.severities`) for resources that are not healthy.
    public init(
        statuses: [ResourceStatus], manifestProblem: String?, agentVersion: String?,
        severities: [String: Event.Severity]
    ) {
        self.agentVersion = agentVersion
        total = statuses.count
        synced = statuses.filter { $0.sync == .synced }.count
        outOfSync = statuses.filter { $0.sync == .outOfSync }.count
        degraded = statuses.filter { $0.health == .degraded }.count
        let unknowns = statuses.filter { $0.sync == .unknown || $0.health == .unknown }
        unknown = unknowns.count
        let missing = statuses.filter { $0.health == .missing }
        let bad = statuses.filter { $0.health == .degraded || $0.sync == .outOfSync }
        var reasons: [String] = []
        if let manifestProblem { reasons.append(manifestProblem) }
        if !missing.isEmpty { reasons.append("missing: " + Self.names(missing)) }
        if !bad.isEmpty { reasons.append("needs attention: " + Self.names(bad)) }
        if let first = unknowns.first {
            reasons.append(
                "unknown: " + Self.names(unknowns) + " (\(first.reference): " + Self.explanation(first) + ")")
        }
        if manifestProblem != nil || !missing.isEmpty {
            statusID = "unhealthy"
        } else if !bad.isEmpty || !unknowns.isEmpty {
            statusID = "degraded"
        } else {
            statusID = "healthy"
        }
        requiresAttention = statusID != "healthy"
        reason = reasons.isEmpty ? "all \(total) resources synced and healthy" : reasons.joined(separator: "; ")
        problems = statuses.filter(Self.isProblem).map { status in
            let fromState: Event.Severity = status.health == .missing ? .error : .warning
            let asked = status.health == .degraded || status.health == .missing ? severities[status.reference] : nil
            return Problem(
                resource: status.reference, sync: status.sync, health: status.health,
                reason: Self.explanation(status), severity: asked ?? fromState)
        }
        let base: Event.Severity =
            statusID == "unhealthy" ? .error : (statusID == "degraded" ? .warning : .info)
        severity = problems.map(\.severity).reduce(base) { max($0, $1) }
    }

    static func isProblem(_ status: ResourceStatus) -> Bool {
        status.sync != .synced || [.degraded, .missing, .unknown].contains(status.health)
    }

    /// Up to five `Kind/name`s, then how many more.
    private static func names(_ statuses: [ResourceStatus]) -> String {
        statuses.prefix(5).map(\.reference).joined(separator: ", ")
            + (statuses.count > 5 ? " and \(statuses.count - 5) more" : "")
    }

    /// Why, from the Synced condition when it is not synced, else from the Healthy one.
    private static func explanation(_ status: ResourceStatus) -> String {
        let type: Condition.ConditionType = status.sync == .synced ? .healthy : .synced
        let message = status.conditions.first { $0.type == type }?.message
        let state = status.sync == .synced ? status.health.rawValue : status.sync.rawValue
        return message ?? state
    }

    /// The event stored for it (repeats of the same summary count up instead of piling up).
    public var event: Event {
        var event = Event(
            // chainbot itself on this host: not a resource of the manifests (a `Host/…` one may not exist).
            type: requiresAttention ? .warning : .normal, reason: .healthReport, regardingKind: Self.regardingKind,
            regardingName: host?.name ?? "chainbot",
            message: "\(statusID): \(synced)/\(total) synced, \(outOfSync) out of sync, \(unknown) unknown, "
                + "\(degraded) degraded; \(reason)")
        event.severity = severity
        return event
    }

    /// Records the summary as a `HealthReport` event, queued for ALEX OS as `health_report` when
    /// `toAlexOS`.
    ///
    /// A summary the same as the last one recorded writes nothing (a no-op apply or an idle agent leaves
    /// the state file as it was, issue 15), except a `periodic` report to ALEX OS: the agent's report every
    /// interval (DESIGN.md §7) is queued each time. A one-off run (`chainbot apply`) passes `periodic:
    /// false`. The last summary is kept in `lastSummaryKey`, written only when it changes.
    public func record(in store: any StateStore, toAlexOS: Bool, periodic: Bool = true) {
        let event = event
        let summary = Self.summaryKey(event) + (generation.map { " @" + $0 } ?? "")
        let last = (try? store.meta(Self.lastSummaryKey)) ?? nil
        if last == summary, !(toAlexOS && periodic) { return }
        if toAlexOS {
            _ = try? store.recordEvent(event) { stored, key in envelope(stored, idempotencyKey: key) }
        } else {
            _ = try? store.recordEvent(event, outboxPayload: nil)
        }
        if last != summary { try? store.setMeta(Self.lastSummaryKey, summary) }
    }

    /// What the report's event regards: chainbot on the host named, never a manifest kind.
    public static let regardingKind = "Chainbot"

    /// Where the last recorded summary is kept (its type, severity and message).
    public static let lastSummaryKey: MetaKey = "healthReport.last"

    /// What makes two summaries the same event: type, severity and message.
    static func summaryKey(_ event: Event) -> String {
        "\(event.type.rawValue) \(event.effectiveSeverity.rawValue) \(event.message)"
    }
}
