public import ChainbotCore

/// What chainbot last applied to a resource, decoded from the store.
public struct AppliedSpec: Sendable, Hashable {
    public var spec: ResourceSpec
    /// True when chainbot created the object, so pruning may remove it.
    public var createdByChainbot: Bool

    public init(spec: ResourceSpec, createdByChainbot: Bool) {
        self.spec = spec
        self.createdByChainbot = createdByChainbot
    }
}

/// Everything the planner decides from: desired resources with their rendered facets, what is on the
/// host, and what chainbot last applied.
public struct PlanInput: Sendable {
    public var desired: [Resource]
    /// What each provider's `render` made, by resource: the desired facets and the provider's payload.
    public var rendered: [ResourceID: Rendered]
    public var observed: [ResourceID: ObservedResource]
    public var applied: [ResourceID: AppliedSpec]
    /// Whether resources that left the manifests get prune steps (`apply --prune`); otherwise they are
    /// listed as pending prunes without steps.
    public var prune: Bool
    /// Resources no step may change (`chainbot suspend`), with why: `suspended until …`.
    public var held: [ResourceID: String] = [:]
    /// Follow-up steps still owed to resources (a reload after a write that succeeded): planned again
    /// until they succeed, whatever the observation says.
    public var pending: [ResourceID: [PendingStep]] = [:]

    public init(
        desired: [Resource], rendered: [ResourceID: Rendered], observed: [ResourceID: ObservedResource],
        applied: [ResourceID: AppliedSpec], prune: Bool
    ) {
        self.desired = desired
        self.rendered = rendered
        self.observed = observed
        self.applied = applied
        self.prune = prune
    }
}
