/// A provider's own value that the engine carries from one call to the next without looking inside: the
/// bytes `render` made, the files `observe` read. Only the provider that made it reads it back.
///
/// The value may hold secrets (a rendered file), so the description and the mirror name only its type.
public struct ProviderPayload: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    private let value: any Hashable & Sendable

    public init(_ value: some Hashable & Sendable) {
        self.value = value
    }

    /// The value, when it is a `T`.
    public func get<T>(_ type: T.Type = T.self) -> T? { value as? T }

    public static func == (lhs: ProviderPayload, rhs: ProviderPayload) -> Bool { lhs.value.isEqual(to: rhs.value) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(type(of: value)))
        value.hash(into: &hasher)
    }

    public var description: String { "payload \(type(of: value))" }

    public var customMirror: Mirror { Mirror(self, children: ["type": "\(type(of: value))"]) }
}

extension Hashable {
    fileprivate func isEqual(to other: any Hashable) -> Bool { (other as? Self) == self }
}

/// What `render` made of a spec: the desired facets planning compares, what the provider's `steps`
/// needs again (the rendered bytes), handed back by the engine, and how the resource reacts to the files
/// it is notified by.
public struct Rendered: Sendable, Hashable {
    public var facets: [Facet]
    public var payload: ProviderPayload?
    /// The action that restarts the resource when a file it is notified by is written (a running
    /// Service's `systemctl restart`); nil when there is nothing to restart (offline, or stopped).
    public var restartOnNotify: StepAction? = nil

    public init(_ facets: [Facet]) {
        self.facets = facets
        self.payload = nil
    }

    public init(_ facets: [Facet], payload: some Hashable & Sendable) {
        self.facets = facets
        self.payload = ProviderPayload(payload)
    }
}

/// Everything a provider's `steps` decides from, handed over by the engine: the resource, its specs, the
/// facets that differ, what `observe` saw and what `render` made (nil for a prune).
public struct StepRequest: Sendable, Hashable {
    public var id: ResourceID
    /// The desired spec; nil when the resource left the manifests (a prune).
    public var spec: ResourceSpec?
    /// The last-applied spec, when chainbot applied the resource before.
    public var previous: ResourceSpec?
    public var changes: [FieldChange]
    public var observed: ObservedResource
    public var rendered: Rendered?

    public init(
        id: ResourceID, spec: ResourceSpec?, previous: ResourceSpec?, changes: [FieldChange],
        observed: ObservedResource, rendered: Rendered? = nil
    ) {
        self.id = id
        self.spec = spec
        self.previous = previous
        self.changes = changes
        self.observed = observed
        self.rendered = rendered
    }
}
