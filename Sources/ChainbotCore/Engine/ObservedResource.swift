/// How a resource looks on the host right now.
public struct ObservedResource: Sendable, Hashable {
    public var id: ResourceID
    /// The facets the provider could see, by name; a facet it could not see is simply missing.
    public var facets: [String: FacetValue]
    public var health: Health
    /// Why the health is what it is, for people (`failed: exit-code`, `not found`).
    public var healthReason: String?
    /// What the provider read and its `steps` needs again (the files it would edit, whether systemd asks
    /// for a daemon-reload), carried by the engine and not compared.
    public var payload: ProviderPayload?
    /// Facets the provider looked for and could not read, by name, with why (`GET …/agents/all lists no
    /// version`). Planning neither compares them nor takes them as desired: the resource's sync is Unknown.
    public var unobserved: [String: String]
    /// Set when this one resource could not be observed at all (a unit file that is a FIFO): the engine
    /// reports it as a resource that cannot be planned, and the provider's other resources go on.
    public var failure: ProviderError?

    public init(
        id: ResourceID, facets: [String: FacetValue], health: Health = .unknown, healthReason: String? = nil
    ) {
        self.id = id
        self.facets = facets
        self.health = health
        self.healthReason = healthReason
        payload = nil
        unobserved = [:]
        failure = nil
    }

    /// A resource that could not be observed, for `why`.
    public init(id: ResourceID, failure why: ProviderError) {
        self.init(id: id, facets: [:])
        failure = why
    }

    /// True when nothing of the resource exists on the host.
    public var isAbsent: Bool { facets.values.allSatisfy { $0 == .absent } }
}

/// A resource's health, Kubernetes style.
public enum Health: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case degraded = "Degraded"
    case missing = "Missing"
    case unknown = "Unknown"
}
