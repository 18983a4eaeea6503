/// One step of a recorded apply: what was done to which resource, and how it went.
public struct RevisionStep: Sendable, Hashable {
    /// How one step ended.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case succeeded
        case failed
        /// Not run, because a step it depends on failed.
        case skipped
        /// Planned and recorded before the run; no outcome recorded (yet, or ever when the run was interrupted).
        case pending
    }

    /// The resource kind, e.g. `Service`.
    public var kind: String
    /// The resource's `metadata.name`.
    public var name: String
    /// What the step does, e.g. `write unit file` or `restart`.
    public var action: String
    public var outcome: Outcome
    /// Why the step failed or was skipped; nil when it succeeded.
    public var error: String?
    public var startedAt: Timestamp
    public var finishedAt: Timestamp

    public init(
        kind: String, name: String, action: String, outcome: Outcome, error: String? = nil, startedAt: Timestamp,
        finishedAt: Timestamp
    ) {
        self.kind = kind
        self.name = name
        self.action = action
        self.outcome = outcome
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// `Kind/name`, the way chainbot names a resource to people.
    public var reference: String { "\(kind)/\(name)" }
}
