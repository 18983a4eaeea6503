/// The latest status of one resource, as the agent (or an apply) last saw it.
public struct ResourceStatus: Sendable, Hashable, Codable {
    /// Whether the host matches the manifests for this resource.
    public enum Sync: String, Sendable, Hashable, Codable, CaseIterable {
        case synced = "Synced"
        case outOfSync = "OutOfSync"
        case unknown = "Unknown"
    }

    public var kind: String
    public var name: String
    public var sync: Sync
    public var health: Health
    public var conditions: [Condition]
    /// The manifest set's generation this status was computed for.
    public var observedGeneration: String?
    public var updatedAt: Timestamp

    public init(
        kind: String, name: String, sync: Sync, health: Health, conditions: [Condition] = [],
        observedGeneration: String? = nil, updatedAt: Timestamp
    ) {
        self.kind = kind
        self.name = name
        self.sync = sync
        self.health = health
        self.conditions = conditions
        self.observedGeneration = observedGeneration
        self.updatedAt = updatedAt
    }

    public var reference: String { "\(kind)/\(name)" }
}

/// One condition of a resource, Kubernetes style: `Synced` or `Healthy`, true or not, and why.
public struct Condition: Sendable, Hashable, Codable {
    public var type: ConditionType
    public var status: Bool
    /// A short UpperCamelCase cause: `Converged`, `DriftDetected`, `ApplyFailed`, `Suspended`.
    public var reason: Reason
    public var message: String
    /// When `status` last changed.
    public var lastTransitionTime: Timestamp
    /// For probed resources: consecutive failed probes (positive) or passed ones (negative), so health
    /// changes only after the target's failure or recovery threshold.
    public var streak: Int?

    public init(
        type: ConditionType, status: Bool, reason: Reason, message: String, lastTransitionTime: Timestamp,
        streak: Int? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.streak = streak
    }
}

/// A resource the agent must leave alone until `until` (`chainbot suspend KIND/NAME --for 2h`).
public struct Suspension: Sendable, Hashable {
    public var kind: String
    public var name: String
    public var until: Timestamp
    public var reason: String

    public init(kind: String, name: String, until: Timestamp, reason: String) {
        self.kind = kind
        self.name = name
        self.until = until
        self.reason = reason
    }

    /// A suspension of the resource `id`.
    public init(_ id: ResourceID, until: Timestamp, reason: String) {
        self.init(kind: id.kind.rawValue, name: id.name, until: until, reason: reason)
    }

    public var reference: String { "\(kind)/\(name)" }

    /// Why the resource is held, for plans and notes: `suspended until 2026-12-01T12:00:00Z (maintenance)`.
    public var holdReason: String {
        "suspended until \(until.iso8601)" + (reason.isEmpty ? "" : " (\(reason))")
    }

    /// The holds `suspensions` make, by resource, for planning (kinds this build does not know are left out).
    public static func holds(_ suspensions: [Suspension]) -> [ResourceID: String] {
        var out: [ResourceID: String] = [:]
        for suspension in suspensions {
            if let kind = Kind(rawValue: suspension.kind) {
                out[ResourceID(kind, suspension.name)] = suspension.holdReason
            }
        }
        return out
    }
}
