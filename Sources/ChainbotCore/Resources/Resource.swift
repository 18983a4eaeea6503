/// What a resource's drift policy says to do when observed state differs from desired state.
public enum DriftPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fix the drift (the default).
    case enforce
    /// Report the drift, change nothing.
    case warn
    /// Neither report nor fix.
    case ignore

    /// The annotation that sets the policy.
    public static let annotation = "chainbot.dev/drift"
}

/// Which hosts a resource is meant for (DESIGN.md §9); nil selects every host.
public struct HostSelector: Sendable, Hashable, Codable {
    /// A glob (`pi-*`) matched against the hostname.
    public var hostname: String?
    /// Host labels that must all be present with these values.
    public var labels: [String: String]

    public init(hostname: String? = nil, labels: [String: String] = [:]) {
        self.hostname = hostname
        self.labels = labels
    }
}

/// A resource's `metadata`.
public struct Metadata: Sendable, Hashable, Codable {
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var dependsOn: [ResourceID]
    public var drift: DriftPolicy
    public var hostSelector: HostSelector?

    public init(
        name: String, labels: [String: String] = [:], annotations: [String: String] = [:],
        dependsOn: [ResourceID] = [], drift: DriftPolicy = .enforce, hostSelector: HostSelector? = nil
    ) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
        self.dependsOn = dependsOn
        self.drift = drift
        self.hostSelector = hostSelector
    }
}

/// The desired state of one resource, by kind.
public enum ResourceSpec: Sendable, Hashable, Codable {
    case service(ServiceSpec)
    case configFile(ConfigFileSpec)
    case port(PortSpec)
    case firewall(FirewallSpec)
    case firewallRule(FirewallRuleSpec)
    case agent(AgentSpec)
    case watchtowerTarget(WatchtowerTargetSpec)
    case host(HostSpec)

    public var kind: Kind {
        switch self {
        case .service: .service
        case .configFile: .configFile
        case .port: .port
        case .firewall: .firewall
        case .firewallRule: .firewallRule
        case .agent: .agent
        case .watchtowerTarget: .watchtowerTarget
        case .host: .host
        }
    }
}

/// One desired resource from the manifests, with where it was written.
public struct Resource: Sendable, Hashable {
    public var metadata: Metadata
    public var spec: ResourceSpec
    /// Where the resource's document starts.
    public var location: SourceLocation
    /// Where `metadata.name` is written (what "first defined here" notes point at).
    public var nameLocation: SourceLocation

    public init(metadata: Metadata, spec: ResourceSpec, location: SourceLocation, nameLocation: SourceLocation) {
        self.metadata = metadata
        self.spec = spec
        self.location = location
        self.nameLocation = nameLocation
    }

    public var id: ResourceID { ResourceID(spec.kind, metadata.name) }
}
