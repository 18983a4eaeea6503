public import ChainbotCore

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
        /// The filesystem `runtimeDirectory` is on: the live host's.
        public var runtimeFileSystem: any HostFileSystem
        /// argv prefixes of the revert watchdog (`chainbot firewall-watchdog`), tried in order until one
        /// starts (in a systemd scope first, then directly).
        public var watchdog: [[String]]
        /// `--force`: allow a load that stops accepting a management port.
        public var force: Bool
        /// A pause between loading and confirming (for tests that kill chainbot in between).
        public var confirmDelay: Duration
        /// argv that restores a ufw snapshot file (appended): `chainbot firewall-restore-ufw`.
        public var ufwRestore: [String] = []

        public init(
            runtimeDirectory: String, runtimeFileSystem: any HostFileSystem, watchdog: [[String]], force: Bool = false,
            confirmDelay: Duration = .zero
        ) {
            self.runtimeDirectory = runtimeDirectory
            self.runtimeFileSystem = runtimeFileSystem
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

    /// What rendering the Firewall read of the host, handed to `observe` in its target so that a run reads
    /// the table (or ufw's state) once.
    enum FirewallReading: Sendable, Hashable {
        case table(NftRuleset?)
        case ufw(ObservedUfw)
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
        FirewallGuard(
            directory: settings.runtimeDirectory, watchdog: settings.watchdog, launcher: launcher,
            fileSystem: settings.runtimeFileSystem)
    }

    // MARK: Render

    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        let plan = self.plan ?? DesiredFirewall([])
        if plan.backend == .ufw, spec.kind != .port || plan.firewall != nil {
            var rendered = try await renderUfw(id, spec, plan)
            if case .port(let port) = spec, listeners != nil {
                rendered.facets.append(
                    Facet(
                        FirewallFacets.listener,
                        .word(PortCheck.expectedWord(spec: port, ownerUnit: plan.unit(of: port)))))
            }
            return rendered
        }
        switch spec {
        case .firewall(let firewall):
            return try await renderFirewall(id, firewall, plan)
        case .firewallRule:
            guard plan.firewall != nil else {
                throw ProviderError("\(id) needs a Firewall resource: FirewallRules are part of its table")
            }
            _ = try plan.ruleset()
            return Rendered([Facet(FirewallFacets.rules, FirewallFacets.lines(plan.rules(of: id)))])
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
            return Rendered(facets)
        default:
            throw ProviderError("the Firewall provider does not manage \(id.kind)")
        }
    }

    /// The Firewall's policy and built-in rules, checked against the loaded table, which is read here (and
    /// handed to `observe` as the payload, so one run reads it once).
    private func renderFirewall(_ id: ResourceID, _ firewall: FirewallSpec, _ plan: DesiredFirewall)
        async throws(ProviderError) -> Rendered
    {
        let desired = try plan.ruleset()
        let read: Result<NftRuleset?, ProviderError>
        do { read = .success(try await nft.observe()) } catch { read = .failure(error) }
        if !settings.force {
            try checkManagementPorts(keeping: firewall.managementPorts, firewall: id.name, current: try read.get())
        }
        var facets = [
            Facet(FirewallFacets.policy, .word(desired.policy.rawValue)),
            Facet(FirewallFacets.rules, FirewallFacets.lines(plan.builtInRules(of: id))),
        ]
        // Chains and rule order only say something about a table that exists.
        if (try? read.get()) ?? nil != nil {
            facets.append(Facet(FirewallFacets.chains, .word(NftRuleset.chain)))
            facets.append(Facet(FirewallFacets.order, .word(FirewallFacets.asRendered)))
        }
        guard case .success(let table) = read else { return Rendered(facets) }
        return Rendered(facets, payload: FirewallReading.table(table))
    }

    /// Refuses a table that stops accepting a management port the loaded one (`current`) accepts.
    func checkManagementPorts(keeping ports: [Int], firewall name: String, current: NftRuleset?)
        throws(ProviderError)
    {
        guard let current else { return }
        let open = FirewallFacets.managementPorts(in: current)
        let dropped = open.subtracting(ports).sorted()
        guard !dropped.isEmpty else { return }
        let list = dropped.map(String.init).joined(separator: ", ")
        throw ProviderError(
            "refusing to load a firewall that stops accepting management port\(dropped.count == 1 ? "" : "s") \(list) "
                + "(Firewall '\(name)' no longer lists \(dropped.count == 1 ? "it" : "them") in managementPorts); "
                + "this could cut off the session managing this host. Use --force if that is really meant")
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
