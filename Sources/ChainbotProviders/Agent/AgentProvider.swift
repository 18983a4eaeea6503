public import ChainbotCore
public import ChainbotDelivery
public import ChainbotHTTP

/// Manages `Agent` resources: agents registered in the ALEX OS registry (DESIGN.md §3, §7).
///
/// Observes the registry's canon index (or its fallback listing) and compares only the fields chainbot
/// owns; registers or re-registers an agent that is missing or different; deregisters on prune where the
/// registry can. A failed write is never retried blindly: the registry may answer 500 after committing,
/// so the provider observes again and the step succeeds when the registry now shows the agent as desired.
///
/// Without an ALEX OS URL every agent's health and sync are `Unknown` with a reason that says how to
/// configure one, nothing is compared, and a prune step fails with the same reason (so the agent is not forgotten).
public struct AgentProvider: Provider {
    public let kinds: [Kind] = [.agent]

    /// Why agents cannot be observed without an ALEX OS.
    public static let notConfigured = "no ALEX OS URL configured (--alexos-url or CHAINBOT_ALEXOS_URL)"

    let registry: AgentRegistry?
    let probe: AgentHealthProbe
    let secrets: SecretReader
    let now: @Sendable () -> Timestamp

    /// A provider for the registry at `endpoints` (nil: no ALEX OS configured) over `transport`; agent
    /// tokens are read through `secrets` at apply time, and `now` stamps registrations.
    public init(
        endpoints: AlexOSEndpoints?, transport: any HTTPTransport, secrets: SecretReader,
        timeout: Duration = .seconds(10), probeTimeout: Duration = .seconds(3),
        now: @escaping @Sendable () -> Timestamp
    ) {
        registry = endpoints.map { AgentRegistry(transport: transport, endpoints: $0, timeout: timeout) }
        probe = AgentHealthProbe(transport: transport, timeout: probeTimeout)
        self.secrets = secrets
        self.now = now
    }

    /// The owned fields the spec sets (without an ALEX OS they are all unobserved, so the sync is Unknown).
    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        guard case .agent(let agent) = spec else {
            throw ProviderError("the Agent provider cannot render \(spec.kind) '\(id.name)'")
        }
        return Rendered(AgentFacets.desired(agent))
    }

    /// One registry listing for all targets, then a health probe of each registered agent.
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        var observed: [ResourceID: ObservedResource] = [:]
        guard let registry else {
            for target in targets {
                var unobserved: [String: String] = [:]
                if case .agent(let spec) = target.spec {
                    for facet in AgentFacets.owned(spec) { unobserved[facet.name] = Self.notConfigured }
                }
                var resource = ObservedResource(
                    id: target.id, facets: [:], health: .unknown, healthReason: Self.notConfigured)
                resource.unobserved = unobserved
                resource.payload = ProviderPayload(Unconfigured())
                observed[target.id] = resource
            }
            return observed
        }
        if targets.isEmpty { return observed }
        let listing = try await registry.agents()
        // Probes run at once, so agents that do not answer cost one probe timeout, not one each.
        await withTaskGroup(of: ObservedResource?.self) { group in
            for target in targets {
                guard case .agent(let spec) = target.spec else { continue }
                let entry = listing.agents[spec.agentID]
                group.addTask {
                    let (health, reason) = await probe.health(spec, entry: entry)
                    let seen = AgentFacets.observed(spec, entry: entry, source: listing.source)
                    var resource = ObservedResource(
                        id: target.id, facets: seen.facets, health: health, healthReason: reason)
                    resource.unobserved = seen.unobserved
                    return resource
                }
            }
            for await resource in group {
                if let resource { observed[resource.id] = resource }
            }
        }
        return observed
    }

    /// A registration when an owned field differs or the agent is missing; a deregistration on prune.
    public func steps(for request: StepRequest) -> [StepAction] {
        let observed = request.observed
        guard let spec = request.spec else {
            guard case .agent(let old) = request.previous else { return [] }
            let unconfigured = observed.payload?.get(Unconfigured.self) != nil
            guard unconfigured || !observed.isAbsent else { return [] }
            return [.deregisterAgent(agentID: old.agentID, token: old.token)]
        }
        guard case .agent(let agent) = spec, !request.changes.isEmpty else { return [] }
        return [.registerAgent(agent)]
    }

    public func execute(_ action: StepAction) async throws(ProviderError) {
        guard let registry else { throw ProviderError("cannot change the ALEX OS registry: \(Self.notConfigured)") }
        switch action {
        case .registerAgent(let spec): try await register(spec, registry)
        case .deregisterAgent(let agentID, let token): try await deregister(agentID, token: token, registry)
        default: throw ProviderError("the Agent provider cannot run '\(action)'")
        }
    }

    private func register(_ spec: AgentSpec, _ registry: AgentRegistry) async throws(ProviderError) {
        let token = try spec.token.map { (ref) throws(ProviderError) in try secrets.value(of: ref) }
        let payload = AgentRegistration.payload(spec, endpoints: registry.endpoints, at: now())
        let url = registry.endpoints.registerURL
        guard let failure = await registry.send(.post, url, json: payload, token: token) else { return }
        guard failure.requestSent || failure.kind == .status else { throw AgentRegistry.providerError(failure) }
        // The write may have committed before it failed: look before deciding.
        let after: AgentRegistry.Listing
        do { after = try await registry.agents() } catch {
            throw ProviderError(
                "\(failure); then the registry could not be read to check: \(error.message)", retryable: true)
        }
        let entry = after.agents[spec.agentID]
        if AgentFacets.matches(spec, entry: entry, source: after.source) { return }
        let unseen = AgentFacets.observed(spec, entry: entry, source: after.source).unobserved
        let why = unseen.sorted { $0.key < $1.key }.map { "cannot observe \($0.key): \($0.value)" }
        throw ProviderError(
            "\(failure); the registry does not show agent '\(spec.agentID)' as desired afterwards"
                + (why.isEmpty ? "" : " (" + why.joined(separator: "; ") + ")"),
            retryable: failure.isTransient)
    }

    private func deregister(_ agentID: String, token ref: SecretRef?, _ registry: AgentRegistry)
        async throws(ProviderError)
    {
        let token = try ref.map { (ref) throws(ProviderError) in try secrets.value(of: ref) }
        let url = registry.endpoints.deregisterURL(agentID)
        guard let failure = await registry.send(.delete, url, json: nil, token: token) else { return }
        guard failure.requestSent || failure.kind == .status else { throw AgentRegistry.providerError(failure) }
        let after: AgentRegistry.Listing
        do { after = try await registry.agents() } catch {
            throw ProviderError(
                "\(failure); then the registry could not be read to check: \(error.message)", retryable: true)
        }
        if after.agents[agentID] == nil { return }
        if failure.status == 404 || failure.status == 405 {
            throw ProviderError(
                "the ALEX OS registry cannot deregister agents (DELETE \(url): HTTP \(failure.status ?? 0)); "
                    + "agent '\(agentID)' stays registered: remove it in ALEX OS",
                retryable: false)
        }
        throw ProviderError(
            "\(failure); the registry still lists agent '\(agentID)'", retryable: failure.isTransient)
    }
}

/// The payload of an agent observed without an ALEX OS registry to ask: nothing is known of it.
struct Unconfigured: Sendable, Hashable {}
