/// The spec chainbot last applied to one resource.
///
/// Together these records are the prune inventory (what chainbot manages) and the last-applied side of
/// the three-way diff.
public struct AppliedResource: Sendable, Hashable {
    /// The resource kind, e.g. `Service`.
    public var kind: String
    /// The resource's `metadata.name`.
    public var name: String
    /// The applied spec as canonical JSON, with secret values already replaced by their `sha256:` digests.
    public var specJSON: String
    /// A digest of `specJSON`, compared to tell whether the spec changed without decoding it.
    public var specHash: String
    /// The manifest set's generation the spec came from (a git commit, or a content hash).
    public var generation: String
    /// When the spec was applied.
    public var appliedAt: Timestamp
    /// True when chainbot created the object on the host (so prune may remove it); false when it adopted
    /// an object that already existed.
    public var createdByChainbot: Bool

    public init(
        kind: String, name: String, specJSON: String, specHash: String, generation: String, appliedAt: Timestamp,
        createdByChainbot: Bool
    ) {
        self.kind = kind
        self.name = name
        self.specJSON = specJSON
        self.specHash = specHash
        self.generation = generation
        self.appliedAt = appliedAt
        self.createdByChainbot = createdByChainbot
    }

    /// `Kind/name`, the way chainbot names a resource to people.
    public var reference: String { "\(kind)/\(name)" }
}
