extension Event {
    /// A short UpperCamelCase cause of an event. Stored and delivered as its raw text, so the constants
    /// below are the words the store, the webhooks and `chainbot events` show.
    public struct Reason: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public var rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public init(_ rawValue: String) { self.rawValue = rawValue }

        public init(stringLiteral value: String) { rawValue = value }

        public var description: String { rawValue }

        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.rawValue < rhs.rawValue }

        /// A resource differed from its manifest.
        public static let driftDetected: Reason = "DriftDetected"
        /// A resource's steps succeeded: it was created or updated.
        public static let applied: Reason = "Applied"
        /// A step of a resource failed.
        public static let applyFailed: Reason = "ApplyFailed"
        /// A resource that left the manifests was removed.
        public static let pruned: Reason = "Pruned"
        /// A resource's health changed (a probe crossed its threshold, a unit failed).
        public static let healthChanged: Reason = "HealthChanged"
        /// A firewall was loaded and then put back: not confirmed in time, or not as rendered.
        public static let firewallReverted: Reason = "FirewallReverted"
        /// The watchdog could not put the previous firewall back.
        public static let firewallRevertFailed: Reason = "FirewallRevertFailed"
        /// The manifests did not load or validate; the agent keeps the last good set.
        public static let manifestInvalid: Reason = "ManifestInvalid"
        /// A resource could not be rendered or observed.
        public static let observeFailed: Reason = "ObserveFailed"
        /// A revision's run died before it finished.
        public static let applyInterrupted: Reason = "ApplyInterrupted"
        /// Steps were left out because they would have changed a held (suspended) resource.
        public static let held: Reason = "Held"
        /// Pulling the manifests' git source failed.
        public static let gitSyncFailed: Reason = "GitSyncFailed"
        /// A fetched commit was refused: `git verify-commit` did not accept its signature.
        public static let gitVerifyFailed: Reason = "GitVerifyFailed"
        /// A git remote did not answer and a later one served the fetch.
        public static let gitRemoteFailed: Reason = "GitRemoteFailed"
        /// A resource was suspended (`chainbot suspend`).
        public static let suspended: Reason = "Suspended"
        /// A suspension was lifted (`chainbot resume`).
        public static let resumed: Reason = "Resumed"
        /// Undelivered events were folded into one because the outbox was full.
        public static let outboxOverflow: Reason = "OutboxOverflow"
        /// The agent's periodic health report to ALEX OS.
        public static let healthReport: Reason = "HealthReport"
    }
}
