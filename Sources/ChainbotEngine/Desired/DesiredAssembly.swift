public import ChainbotCore

/// The desired set in force, assembled from the manifests, the pin and what chainbot applied before.
///
/// Pure: the caller reads the manifests and the store; this decides. A pin wins over the manifests (its
/// revision's resources and generation, and no git commit, since a rollback is not a commit); without one
/// the manifests are in force. Resources chainbot applied that are no longer desired are still synced, so
/// that they are pruned or forgotten.
public struct DesiredAssembly: Sendable, Hashable {
    /// The manifests' resources (the last good ones).
    public var manifests: [Resource]
    /// The manifests' generation: a git commit (maybe `-dirty`), or a content hash.
    public var generation: String
    /// The manifests' git commit; nil for a content hash.
    public var gitCommit: String?
    /// Why the manifests could not be read, while the last good ones stay in force.
    public var problem: String?
    /// The pin in force, if any.
    public var pin: Pin?

    public init(
        manifests: [Resource], generation: String, gitCommit: String?, problem: String? = nil, pin: Pin? = nil
    ) {
        self.manifests = manifests
        self.generation = generation
        self.gitCommit = gitCommit
        self.problem = problem
        self.pin = pin
    }

    /// The resources to apply: the pinned revision's, else the manifests'.
    public var resources: [Resource] { pin?.resources ?? manifests }

    /// The generation in force: the pinned revision's, else the manifests'.
    public var generationInForce: String { pin?.generation ?? generation }

    /// The controller's view: the resources in force and the applied ones they no longer hold, in the
    /// order the store lists them.
    public func state(applied: [AppliedResource]) -> DesiredState {
        let wanted = Set(resources.map(\.id))
        return DesiredState(
            resources: resources, formerlyApplied: Self.ids(applied).filter { !wanted.contains($0) },
            generation: generationInForce, problem: problem)
    }

    /// What one pass applies: the resources and generation in force, the git commit only when unpinned.
    public var pass: ReconcilePass.Desired {
        ReconcilePass.Desired(
            resources: resources, generation: generationInForce, gitCommit: pin == nil ? gitCommit : nil)
    }

    /// The git commit a manifest generation names: `c0ffee` of `c0ffee` or `c0ffee-dirty`; nil for a
    /// content hash (`sha256:…`), which is not a commit.
    public static func gitCommit(of generation: String) -> String? {
        generation.hasPrefix("sha256:") ? nil : String(generation.prefix { $0 != "-" })
    }

    /// The ids of applied records whose kind chainbot knows.
    public static func ids(_ applied: [AppliedResource]) -> [ResourceID] {
        applied.compactMap { record in Kind(rawValue: record.kind).map { ResourceID($0, record.name) } }
    }
}
