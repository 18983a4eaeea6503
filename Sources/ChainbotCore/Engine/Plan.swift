/// What planning decided for one resource.
public struct ResourcePlan: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable {
        /// Not on the host yet: create it.
        case create
        /// On the host but different: change it.
        case update
        /// Left the manifests, and chainbot created it: remove it.
        case prune
        /// Left the manifests but chainbot adopted it: forget it, leave it on the host.
        case forget
        /// Matches the manifests.
        case unchanged
        /// Different, but the drift policy says warn: reported, not changed.
        case warn
    }

    public var id: ResourceID
    public var action: Action
    public var changes: [FieldChange]
    /// Indexes of this resource's steps in the plan.
    public var steps: [Int]
    public var health: Health
    public var healthReason: String?
    /// For a prune: true when it waits for `--prune` (listed, no steps).
    public var deferred: Bool
    /// Desired facets that could not be observed, by name, with why: neither a change nor in sync.
    public var unobserved: [String: String]
    /// Why the resource is held (`suspended until …`): observed and reported, changed by no step.
    public var held: String? = nil
    /// The manifests changed it since it was last applied: an update that follows the desired state, not
    /// a change made on the host (which is drift; `DriftDetected` is said only of that).
    public var desiredChanged = false
    /// What planning left out for this resource, for people: a step that would have changed a held
    /// resource (`held: Service/web is suspended until …; systemctl restart web.service not run`).
    public var notes: [String] = []
    /// The steps still owed to the resource from earlier runs, as notes (`owed since …: …`; in `notes` too).
    public var owed: [String] = []
    /// The steps left out because they would have changed a held resource, as notes (`held: … not run`;
    /// in `notes` too).
    public var leftOut: [String] = []

    public init(
        id: ResourceID, action: Action, changes: [FieldChange], steps: [Int] = [], health: Health = .unknown,
        healthReason: String? = nil, deferred: Bool = false
    ) {
        self.id = id
        self.action = action
        self.changes = changes
        self.steps = steps
        self.health = health
        self.healthReason = healthReason
        self.deferred = deferred
        unobserved = [:]
    }

    /// `cannot observe port, version: why; cannot observe role: why`: facets sorted and grouped by reason;
    /// nil when all were observed.
    public var unobservedSummary: String? {
        if unobserved.isEmpty { return nil }
        var groups: [(facets: [String], reason: String)] = []
        for (facet, reason) in unobserved.sorted(by: { $0.key < $1.key }) {
            if let index = groups.firstIndex(where: { $0.reason == reason }) {
                groups[index].facets.append(facet)
            } else {
                groups.append(([facet], reason))
            }
        }
        return groups.map { "cannot observe \($0.facets.joined(separator: ", ")): \($0.reason)" }.joined(
            separator: "; ")
    }
}

/// Everything a run will do: per-resource decisions and the ordered steps.
public struct Plan: Sendable, Hashable {
    public var resources: [ResourcePlan]
    public var steps: [Step]

    public init(resources: [ResourcePlan], steps: [Step]) {
        self.resources = resources
        self.steps = steps
    }

    /// True when applying would change nothing.
    public var isEmpty: Bool { steps.isEmpty && resources.allSatisfy { $0.action == .unchanged || $0.action == .warn } }
}
