public import ChainbotCore
import Synchronization

/// Firewall, FirewallRule and Port: one nftables table, `inet chainbot`, rendered from all three kinds and
/// loaded in one transaction, then confirmed or reverted (`FirewallGuard`); Ports are also checked for
/// who listens on them.
///
/// Each resource shows its own part of the table as rule lines: a FirewallRule its rules, a Port its
/// `expose` rules, the Firewall its policy, its built-in rules (loopback, established, ICMP, management)
/// and any rule nobody declared (added by hand). Any difference anywhere loads the whole table once.
public struct FirewallProvider: Provider {
    public let kinds: [Kind] = [.firewall, .firewallRule, .port]

    /// What the provider needs besides the host tools.
    public struct Settings: Sendable {
        /// Where confirm-or-revert keeps its files (`/run/chainbot/firewall`).
        public var runtimeDirectory: String
        /// argv prefixes of the revert watchdog (`chainbot firewall-watchdog`), tried in order until one
        /// starts (in a systemd scope first, then directly).
        public var watchdog: [[String]]
        /// `--force`: allow a load that stops accepting a management port.
        public var force: Bool
        /// A pause between loading and confirming (for tests that kill chainbot in between).
        public var confirmDelay: Duration
        /// argv that restores a ufw snapshot file (appended): `chainbot firewall-restore-ufw`.
        public var ufwRestore: [String] = []

        public init(runtimeDirectory: String, watchdog: [[String]], force: Bool = false, confirmDelay: Duration = .zero)
        {
            self.runtimeDirectory = runtimeDirectory
            self.watchdog = watchdog
            self.force = force
            self.confirmDelay = confirmDelay
        }
    }

    let nft: Nft
    let settings: Settings
    let launcher: any BackgroundLauncher
    let listeners: ListenerReader?
    let plan: DesiredFirewall?
    /// The table as read once per run (render checks management ports against it, observe reports it).
    let observedTable = TableCache()

    enum ObservedTable: Sendable {
        case read(NftRuleset?)
        case failed(ProviderError)
    }

    final class TableCache: Sendable {
        let value = Mutex<ObservedTable?>(nil)
        let ufw = Mutex<Result<ObservedUfw, ProviderError>?>(nil)
    }

    public init(
        runner: any CommandRunner, settings: Settings, launcher: any BackgroundLauncher,
        listeners: ListenerReader? = nil
    ) {
        self.init(runner: runner, settings: settings, launcher: launcher, listeners: listeners, plan: nil)
    }

    init(
        runner: any CommandRunner, settings: Settings, launcher: any BackgroundLauncher,
        listeners: ListenerReader?, plan: DesiredFirewall?
    ) {
        self.nft = Nft(runner: runner)
        self.settings = settings
        self.launcher = launcher
        self.listeners = listeners
        self.plan = plan
    }

    public func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider {
        FirewallProvider(
            runner: nft.runner, settings: settings, launcher: launcher, listeners: listeners,
            plan: DesiredFirewall(desired))
    }

    var firewallGuard: FirewallGuard {
        FirewallGuard(directory: settings.runtimeDirectory, watchdog: settings.watchdog, launcher: launcher)
    }

    // MARK: Render

    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        Rendered(try await renderFacets(id, spec))
    }

    func renderFacets(_ id: ResourceID, _ spec: ResourceSpec) async throws(ProviderError) -> [Facet] {
        let plan = self.plan ?? DesiredFirewall([])
        if plan.backend == .ufw, spec.kind != .port || plan.firewall != nil {
            var facets = try await renderUfw(id, spec, plan)
            if case .port(let port) = spec, listeners != nil {
                facets.append(
                    Facet(
                        FirewallFacets.listener,
                        .word(PortCheck.expectedWord(spec: port, ownerUnit: plan.unit(of: port)))))
            }
            return facets
        }
        switch spec {
        case .firewall(let firewall):
            let desired = try plan.ruleset()
            try await checkManagementPorts(keeping: firewall.managementPorts, firewall: id.name)
            var facets = [
                Facet(FirewallFacets.policy, .word(desired.policy.rawValue)),
                Facet(FirewallFacets.rules, FirewallFacets.lines(plan.builtInRules(of: id))),
            ]
            // Chains and rule order only say something about a table that exists.
            if (try? await table()) ?? nil != nil {
                facets.append(Facet(FirewallFacets.chains, .word(NftRuleset.chain)))
                facets.append(Facet(FirewallFacets.order, .word(FirewallFacets.asRendered)))
            }
            return facets
        case .firewallRule:
            guard plan.firewall != nil else {
                throw ProviderError("\(id) needs a Firewall resource: FirewallRules are part of its table")
            }
            _ = try plan.ruleset()
            return [Facet(FirewallFacets.rules, FirewallFacets.lines(plan.rules(of: id)))]
        case .port(let port):
            var facets: [Facet] = []
            if listeners != nil {
                facets.append(
                    Facet(
                        FirewallFacets.listener,
                        .word(PortCheck.expectedWord(spec: port, ownerUnit: plan.unit(of: port)))))
            }
            if plan.firewall != nil {
                _ = try plan.ruleset()
                facets.append(
                    Facet(FirewallFacets.exposed, FirewallFacets.lines(plan.rules(of: id))))
            }
            return facets
        default:
            throw ProviderError("the Firewall provider does not manage \(id.kind)")
        }
    }

    /// Refuses (unless `--force`) a table that stops accepting a management port the loaded one accepts.
    func checkManagementPorts(keeping ports: [Int], firewall name: String) async throws(ProviderError) {
        guard !settings.force, let current = try await table() else { return }
        let open = FirewallFacets.managementPorts(in: current)
        let dropped = open.subtracting(ports).sorted()
        guard !dropped.isEmpty else { return }
        let list = dropped.map(String.init).joined(separator: ", ")
        throw ProviderError(
            "refusing to load a firewall that stops accepting management port\(dropped.count == 1 ? "" : "s") \(list) "
                + "(Firewall '\(name)' no longer lists \(dropped.count == 1 ? "it" : "them") in managementPorts); "
                + "this could cut off the session managing this host. Use --force if that is really meant")
    }

    /// The table, read once per bound run.
    func table() async throws(ProviderError) -> NftRuleset? {
        if let cached = observedTable.value.withLock({ $0 }) {
            switch cached {
            case .read(let table): return table
            case .failed(let error): throw error
            }
        }
        do {
            let table = try await nft.observe()
            observedTable.value.withLock { $0 = .read(table) }
            return table
        } catch {
            observedTable.value.withLock { $0 = .failed(error) }
            throw error
        }
    }

    // MARK: Observe

    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        let plan = self.plan ?? DesiredFirewall([])
        let ufwBackend = plan.backend == .ufw && plan.firewall != nil
        let needsTable = !ufwBackend && (targets.contains { $0.id.kind != .port } || plan.firewall != nil)
        let table = needsTable ? try await table() : nil
        let ufwState = ufwBackend ? try await observedUfw() : nil
        let needsListeners = targets.contains { $0.id.kind == .port }
        let sockets: Result<[Listener], ProviderError>? =
            needsListeners ? listeners.map { reader in Result { () throws(ProviderError) in try reader.read() } } : nil
        let observedByOwner = Dictionary(grouping: table?.rules ?? []) { $0.owner ?? "" }
        var out: [ResourceID: ObservedResource] = [:]
        for target in targets {
            if let ufwState {
                var facets = observeUfw(target.id, target.spec, ufwState, plan)
                var observed = ObservedResource(id: target.id, facets: [:], health: .healthy)
                if case .port(let port) = target.spec {
                    observed = observePort(target.id, port, nil, [:], sockets, plan)
                }
                facets.merge(observed.facets) { mine, _ in mine }
                observed.facets = facets
                if target.id.kind == .firewall, let desired = try? plan.ufwRuleset() {
                    let problems = desired.managementProblems(in: ufwState)
                    if !problems.isEmpty {
                        observed.health = .degraded
                        observed.healthReason = "management port not reachable: " + problems.joined(separator: "; ")
                    }
                }
                out[target.id] = observed
                continue
            }
            switch target.spec {
            case .firewall:
                out[target.id] = observeFirewall(target.id, table, plan)
            case .firewallRule:
                let value = table == nil ? .absent : FirewallFacets.lines(observedByOwner["\(target.id)"] ?? [])
                out[target.id] = ObservedResource(
                    id: target.id, facets: [FirewallFacets.rules: value],
                    health: value == .absent ? .missing : .healthy,
                    healthReason: value == .absent ? "no rule of \(target.id) is loaded" : nil)
            case .port(let port):
                out[target.id] = observePort(target.id, port, table, observedByOwner, sockets, plan)
            default:
                continue
            }
        }
        return out
    }

    func observeFirewall(_ id: ResourceID, _ table: NftRuleset?, _ plan: DesiredFirewall) -> ObservedResource {
        guard let table else {
            return ObservedResource(
                id: id,
                facets: [
                    FirewallFacets.policy: .absent, FirewallFacets.rules: .absent, FirewallFacets.chains: .absent,
                    FirewallFacets.order: .absent,
                ], health: .missing, healthReason: "table inet chainbot is not loaded")
        }
        let mine = table.rules.filter { plan.isBuiltIn($0, of: id) || !plan.declares($0.owner) }
        let desiredOrder = (try? plan.ruleset().rules) ?? []
        let inOrder = FirewallFacets.sameRelativeOrder(table.rules, desiredOrder)
        let facets: [String: FacetValue] = [
            FirewallFacets.policy: .word(table.policy.rawValue),
            FirewallFacets.rules: FirewallFacets.lines(mine, foreign: { !plan.declares($0.owner) }),
            FirewallFacets.chains: .word(([NftRuleset.chain] + table.otherChains).joined(separator: ", ")),
            FirewallFacets.order: .word(inOrder ? FirewallFacets.asRendered : "rules out of order"),
        ]
        if case .firewall(let spec)? = plan.firewall?.spec, spec.managementPorts.isEmpty == false {
            let open = FirewallFacets.managementPorts(in: table)
            let closed = Set(spec.managementPorts).subtracting(open).sorted()
            if !closed.isEmpty {
                return ObservedResource(
                    id: id, facets: facets, health: .degraded,
                    healthReason: "management port \(closed.map(String.init).joined(separator: ", ")) not accepted")
            }
        }
        return ObservedResource(id: id, facets: facets, health: .healthy)
    }

    func observePort(
        _ id: ResourceID, _ port: PortSpec, _ table: NftRuleset?, _ observedByOwner: [String: [NftRule]],
        _ sockets: Result<[Listener], ProviderError>?,
        _ plan: DesiredFirewall
    ) -> ObservedResource {
        var facets: [String: FacetValue] = [:]
        if table != nil {
            facets[FirewallFacets.exposed] = FirewallFacets.lines(observedByOwner["\(id)"] ?? [])
        } else if plan.firewall != nil {
            facets[FirewallFacets.exposed] = .absent
        }
        guard let sockets else {
            return ObservedResource(
                id: id, facets: facets, health: .unknown, healthReason: "listening sockets are not observed here")
        }
        switch sockets {
        case .failure(let error):
            // No socket table is no proof that nothing listens: neither equal nor drift (no restart).
            var observed = ObservedResource(id: id, facets: facets, health: .unknown, healthReason: error.message)
            observed.unobserved[FirewallFacets.listener] = error.message
            return observed
        case .success(let listeners):
            let status = PortCheck.evaluate(spec: port, ownerUnit: plan.unit(of: port), listeners: listeners)
            if status.kind == .ownerUnknown {
                // Something listens where wanted but its process cannot be seen (no CAP_SYS_PTRACE, or it
                // left mid-scan): not proof that the owner holds it, nor drift to restart the owner for.
                var observed = ObservedResource(id: id, facets: facets, health: .unknown, healthReason: status.message)
                observed.unobserved[FirewallFacets.listener] = status.message
                return observed
            }
            facets[FirewallFacets.listener] = .word(status.word)
            return ObservedResource(
                id: id, facets: facets, health: status.isHealthy ? .healthy : .degraded,
                healthReason: status.isHealthy ? nil : status.message)
        }
    }

    // MARK: Steps

    public func steps(for request: StepRequest) -> [StepAction] {
        let (id, spec, changes, observed) = (request.id, request.spec, request.changes, request.observed)
        let plan = self.plan ?? DesiredFirewall([])
        var actions: [StepAction] = []
        let tableChanged =
            changes.contains { FirewallFacets.tableFacets.contains($0.facet) }
            || (spec == nil && FirewallFacets.tableFacets.contains { (observed.facets[$0] ?? .absent) != .absent })
        var previousBackend: FirewallSpec.Backend?
        if case .firewall(let old)? = request.previous { previousBackend = old.backend }
        if tableChanged,
            let load = plan.load(removingTable: id.kind == .firewall && spec == nil, previousBackend: previousBackend)
        {
            actions.append(.loadFirewall(load))
        }
        if case .port(let port)? = spec, changes.contains(where: { $0.facet == FirewallFacets.listener }),
            let unit = plan.unit(of: port)
        {
            actions.append(.systemctl(.restart, unit: unit))
        }
        return actions
    }

    // MARK: Execute

    public func execute(_ action: StepAction) async throws(ProviderError) {
        switch action {
        case .loadFirewall(let load) where load.backend == .ufw:
            try await loadUfw(load)
        case .loadFirewall(let load):
            try await FirewallLoader(provider: self).load(load)
        case .systemctl(let verb, let unit):
            // A Port restarting its owner, the same way the Service provider runs systemctl.
            try SystemdPaths.validateUnitName(unit, suffix: ".service")
            try await Systemctl(runner: nft.runner).run([verb.rawValue, unit], timeout: Systemctl.jobTimeout)
        default:
            throw ProviderError("the Firewall provider cannot run '\(action)'")
        }
    }
}
