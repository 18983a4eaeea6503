/// A follow-up step that must still run for a resource: the restart or reload owed after a write that
/// succeeded (Watchtower's reload after its targets file, a ConfigFile's `notify`, a restart after a unit
/// change). Recorded before the plan runs, cleared when the step succeeds, retried on every pass until
/// then: the next observation sees the file right and would otherwise never run it.
public struct PendingStep: Sendable, Hashable {
    public var resource: ResourceID
    public var action: PendingAction
    /// When it was first owed.
    public var since: Timestamp
    /// The last failure, for `status` and plans; nil before the first attempt fails.
    public var lastError: String?

    public init(resource: ResourceID, action: PendingAction, since: Timestamp, lastError: String? = nil) {
        self.resource = resource
        self.action = action
        self.since = since
        self.lastError = lastError
    }
}

/// The follow-up actions that can be owed: a systemctl verb on a unit, or a configured reload command.
public enum PendingAction: Sendable, Hashable, Codable, CustomStringConvertible {
    case systemctl(verb: String, unit: String)
    case reload(argv: [String])

    /// The owed part of `action`, or nil for an action that is not a follow-up (writes, loads, starts a
    /// resource's own observation asks for again anyway).
    public init?(_ action: StepAction) {
        switch action {
        case .systemctl(let verb, let unit) where verb == .restart:
            self = .systemctl(verb: verb.rawValue, unit: unit)
        case .reload(let argv):
            self = .reload(argv: argv)
        default:
            return nil
        }
    }

    /// The step to run again.
    public var step: StepAction? {
        switch self {
        case .systemctl(let verb, let unit): SystemctlVerb(rawValue: verb).map { .systemctl($0, unit: unit) }
        case .reload(let argv): .reload(argv: argv)
        }
    }

    /// One stable text for the store's key and people: `systemctl restart web.service`, `run …`.
    public var description: String { step?.description ?? "unknown step" }
}
