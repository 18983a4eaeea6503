import ChainbotCore
import Synchronization

/// A provider whose facets, observations and step choices the test scripts, and that records what it ran.
final class FakeProvider: Provider, Sendable {
    let kinds: [Kind]
    private let state = Mutex<State>(State())

    struct State {
        var desiredFacets: [ResourceID: [Facet]] = [:]
        /// A restart on notify to render instead of the systemd-like default.
        var restarts: [ResourceID: StepAction] = [:]
        var observed: [ResourceID: ObservedResource] = [:]
        var executed: [StepAction] = []
        var failing: Set<StepAction> = []
        /// The error a failing action throws, when not the scripted default.
        var errors: [StepAction: ProviderError] = [:]
        var observeError: ProviderError?
    }

    init(_ kinds: [Kind]) {
        self.kinds = kinds
    }

    func want(_ id: ResourceID, _ facets: [Facet]) {
        state.withLock { $0.desiredFacets[id] = facets }
    }

    /// Renders `action` as the resource's restart on notify.
    func restart(_ id: ResourceID, with action: StepAction) {
        state.withLock { $0.restarts[id] = action }
    }

    func see(_ id: ResourceID, _ facets: [String: FacetValue], health: Health = .healthy) {
        state.withLock { $0.observed[id] = ObservedResource(id: id, facets: facets, health: health) }
    }

    func fail(_ action: StepAction) {
        state.withLock { _ = $0.failing.insert(action) }
    }

    func fail(_ action: StepAction, with error: ProviderError) {
        state.withLock { state in
            state.failing.insert(action)
            state.errors[action] = error
        }
    }

    func succeed(_ action: StepAction) {
        state.withLock { _ = $0.failing.remove(action) }
    }

    func failObserving(_ error: ProviderError) {
        state.withLock { $0.observeError = error }
    }

    var executed: [StepAction] { state.withLock { $0.executed } }

    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        // Services declare a running state, as the live systemd provider does.
        let facets =
            id.kind == .service
            ? [Facet("content", .text("x")), Facet("state", .word("running"))] : [Facet("content", .text("x"))]
        var rendered = Rendered(state.withLock { $0.desiredFacets[id] ?? facets })
        // As the live systemd provider: a running Service (one with a `state` facet) restarts when notified.
        if case .service(let service) = spec, service.state == .running,
            rendered.facets.contains(where: { $0.name == "state" })
        {
            rendered.restartOnNotify = .systemctl(.restart, unit: service.unitName)
        }
        if let restart = state.withLock({ $0.restarts[id] }) { rendered.restartOnNotify = restart }
        return rendered
    }

    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        let result: Result<[ResourceID: ObservedResource], ProviderError> = state.withLock { state in
            if let error = state.observeError { return .failure(error) }
            var out: [ResourceID: ObservedResource] = [:]
            for target in targets {
                out[target.id] =
                    state.observed[target.id] ?? ObservedResource(id: target.id, facets: ["content": .absent])
            }
            return .success(out)
        }
        return try result.get()
    }

    /// The one firewall load every FirewallRule asks for.
    static let tableLoad = FirewallLoad(
        backend: .nftables, rendered: "table inet chainbot {}", expected: [], managementPorts: [22],
        confirmTimeout: .seconds(60))

    /// Services: write the unit, reload, then start or restart; Ports: restart the owner; FirewallRules:
    /// load the table; ConfigFiles: write; prunes: remove.
    func steps(for request: StepRequest) -> [StepAction] {
        let (id, spec, changes, observed) = (request.id, request.spec, request.changes, request.observed)
        let path = "/fake/\(id.kind.rawValue)/\(id.name)"
        guard spec != nil else { return [.removeFile(path: path)] }
        if changes.isEmpty { return [] }
        switch (id.kind, spec) {
        case (.port, .port(let port)?):
            // A Port's fix is a restart of its owner, as the real provider plans it.
            return port.owner.map { [.systemctl(.restart, unit: "\($0.name).service")] } ?? []
        case (.firewallRule, _):
            // Every rule asks for the one shared table load.
            return [.loadFirewall(Self.tableLoad)]
        case (.service, _):
            let verb: SystemctlVerb = observed.isAbsent ? .start : .restart
            return [
                .writeFile(FileWrite(path: path, content: [])), .daemonReload,
                .systemctl(verb, unit: "\(id.name).service"),
            ]
        default:
            return [.writeFile(FileWrite(path: path, content: []))]
        }
    }

    func execute(_ action: StepAction) async throws(ProviderError) {
        let (failing, error) = state.withLock { state in
            state.executed.append(action)
            return (state.failing.contains(action), state.errors[action])
        }
        if failing { throw error ?? ProviderError("\(action) failed", detail: "scripted failure") }
    }
}
