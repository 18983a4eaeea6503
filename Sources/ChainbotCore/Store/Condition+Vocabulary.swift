extension Condition {
    /// Which aspect of a resource a condition states. Stored as its raw text (`Synced`, `Healthy`): a
    /// `RawRepresentable` string codes as a single string.
    public struct ConditionType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public var rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public init(stringLiteral value: String) { rawValue = value }

        public var description: String { rawValue }

        /// Whether the host matches the manifests for the resource (`ResourceStatus.sync`).
        public static let synced: ConditionType = "Synced"
        /// Whether the resource is healthy (`ResourceStatus.health`).
        public static let healthy: ConditionType = "Healthy"
    }

    /// A short UpperCamelCase cause of a condition. Stored as its raw text; a `Healthy` condition's reason
    /// is the health itself (`Degraded`), a `Synced` condition's one of the constants below.
    public struct Reason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public var rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public init(stringLiteral value: String) { rawValue = value }

        /// The reason a `Healthy` condition gives for `health`: its raw value.
        public init(_ health: Health) { rawValue = health.rawValue }

        public var description: String { rawValue }

        /// The host matches the manifests.
        public static let converged: Reason = "Converged"
        /// This run's steps for the resource succeeded.
        public static let applied: Reason = "Applied"
        /// The host differs from the manifests and chainbot will change it.
        public static let driftDetected: Reason = "DriftDetected"
        /// The manifests changed the resource since it was last applied; the host is as chainbot left it.
        public static let desiredChanged: Reason = "DesiredChanged"
        /// The host differs from the manifests and the drift policy is `warn`: chainbot leaves it.
        public static let driftWarned: Reason = "DriftWarned"
        /// The resource is in the manifests but not on the host yet.
        public static let notCreated: Reason = "NotCreated"
        /// A step of the resource failed.
        public static let applyFailed: Reason = "ApplyFailed"
        /// The resource could not be rendered or observed at all.
        public static let observeFailed: Reason = "ObserveFailed"
        /// Some facets of the resource could not be observed.
        public static let cannotObserve: Reason = "CannotObserve"
        /// The resource left the manifests and has not been pruned.
        public static let leftTheManifests: Reason = "LeftTheManifests"
        /// The resource is suspended: no step changes it.
        public static let suspended: Reason = "Suspended"
    }
}
