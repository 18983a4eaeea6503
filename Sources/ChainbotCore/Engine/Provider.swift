/// A resource to observe: its identity and the spec that says where to look (the desired spec, or the
/// last-applied one for a resource that left the manifests).
public struct ObserveTarget: Sendable, Hashable {
    public var id: ResourceID
    public var spec: ResourceSpec
    /// The last-applied spec, when chainbot applied the resource before: what is on the host may have been
    /// rendered from it (a file holding the secrets an earlier spec named must be observed masked).
    public var previous: ResourceSpec?
    /// What the provider's `render` made of `spec` in this run (nil for a resource that left the
    /// manifests): a provider that read the host to render (the firewall table) finds the reading here.
    public var rendered: Rendered?

    public init(id: ResourceID, spec: ResourceSpec) {
        self.init(id: id, spec: spec, previous: nil)
    }

    public init(id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?, rendered: Rendered? = nil) {
        self.id = id
        self.spec = spec
        self.previous = previous
        self.rendered = rendered
    }
}

/// One kind's connection to the host: it renders desired facets, observes, plans its steps and runs them.
///
/// Rendering and observing may read the host; `steps` is pure. Providers keep nothing between calls:
/// the engine hands what `render` made to `observe` (in each target) and to `steps` (in the request),
/// with what `observe` saw, and each step's action carries all that `execute` needs. What the engine must
/// know of a kind is data it reads, never a kind's name: `Rendered.restartOnNotify`,
/// `StepAction.runsOncePerPlan`/`batch`, and the spec's `notifies`/`readsPaths`/`healthPolicy`.
/// Providers reach the host only through the seams they are built with (a command runner, a filesystem
/// root).
public protocol Provider: Sendable {
    /// The kinds this provider manages.
    var kinds: [Kind] { get }

    /// The facets `spec` asks for; `previous` (the last-applied spec) lets a provider ask for the
    /// removal of what the manifests no longer mention (a drop-in taken out, for example).
    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered

    /// Observes every target in one batch (one `systemctl show` for all units, say).
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource]

    /// The actions that turn the request's observation into its rendered facets (spec nil: prune), in order.
    func steps(for request: StepRequest) -> [StepAction]

    /// Runs one action; throws with the command's output when it fails.
    func execute(_ action: StepAction) async throws(ProviderError)

    /// Runs actions of one `StepAction.batch`, each for a different resource, none waiting for another:
    /// the outcome of each, in order (nil: it succeeded). The default runs each with `execute`, side by side.
    func execute(together actions: [StepAction]) async -> [ProviderError?]

    /// This provider for one run that sees the whole desired set and what was applied before, for kinds
    /// whose resources render together (the firewall is one table made from several kinds): a value made
    /// from its arguments, reading nothing. The default is the provider itself.
    func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider
}

extension Provider {
    public func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider { self }

    public func execute(together actions: [StepAction]) async -> [ProviderError?] {
        await executeEach(actions)
    }

    /// Runs each action with `execute`, side by side: the outcome of each, in order (nil: it succeeded).
    public func executeEach(_ actions: [StepAction]) async -> [ProviderError?] {
        await withTaskGroup(of: (Int, ProviderError?).self) { group in
            for (position, action) in actions.enumerated() {
                group.addTask {
                    do throws(ProviderError) {
                        try await self.execute(action)
                        return (position, nil)
                    } catch {
                        return (position, error)
                    }
                }
            }
            var outcomes = [ProviderError?](repeating: nil, count: actions.count)
            for await (position, error) in group { outcomes[position] = error }
            return outcomes
        }
    }

    /// `steps(for:)` with the request spelled out.
    public func steps(
        for id: ResourceID, spec: ResourceSpec?, previous: ResourceSpec?, changes: [FieldChange],
        observed: ObservedResource, rendered: Rendered? = nil
    ) -> [StepAction] {
        steps(
            for: StepRequest(
                id: id, spec: spec, previous: previous, changes: changes, observed: observed, rendered: rendered))
    }
}
