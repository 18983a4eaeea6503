public import ChainbotCore

/// A pin: the host is held at a recorded revision's desired set (`chainbot rollback`, `chainbot pin`)
/// while the manifests (or the git source the agent follows) move on. The agent applies the pinned set
/// until `chainbot unpin`; `apply` refuses to apply the manifests over it without `--force`.
public struct Pin: Sendable, Hashable, CustomStringConvertible {
    public var revision: Int64
    /// The generation the pinned revision applied.
    public var generation: String
    public var reason: String
    public var since: Timestamp
    /// The desired resources recorded with the revision.
    public var resources: [Resource]

    public init(revision: Int64, generation: String, reason: String, since: Timestamp, resources: [Resource]) {
        self.revision = revision
        self.generation = generation
        self.reason = reason
        self.since = since
        self.resources = resources
    }

    /// Where the pinned revision's number is kept; the pin exists while this key is set.
    public static let revisionKey = MetaKey.pinRevision
    public static let reasonKey = MetaKey.pinReason
    /// When the pin was set, in milliseconds since the epoch.
    public static let sinceKey = MetaKey.pinSince

    /// `pinned to revision 12 (generation 3f9a71c2e8d5) since 2026-12-01T10:00:00Z: reason`.
    public var description: String {
        "pinned to revision \(revision) (generation \(String(generation.prefix(19)))) since \(since.iso8601)"
            + (reason.isEmpty ? "" : ": \(reason)")
    }

    /// `{revision, generation, reason, since}`, as `chainbot status -o json` shows it.
    public var json: JSONValue {
        .object([
            ("revision", .int(Int(revision))), ("generation", .string(generation)), ("reason", .string(reason)),
            ("since", .string(since.iso8601)),
        ])
    }
}

/// Why a pin cannot be read or set.
public enum PinError: Error, Hashable, CustomStringConvertible {
    /// The state file's pin is not a revision number (the text found).
    case notARevisionNumber(String)
    /// There is no revision with this number, or it recorded no desired set to return to.
    case noRecordedSpecs(Int64)

    public var description: String {
        switch self {
        case .notARevisionNumber(let text): "the state file's pin '\(text)' is not a revision number"
        case .noRecordedSpecs(let id): "no revision \(id) with recorded specs"
        }
    }
}
