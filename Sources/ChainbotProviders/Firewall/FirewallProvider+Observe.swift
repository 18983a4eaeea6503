public import ChainbotCore

extension FirewallProvider {
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        let plan = self.plan ?? DesiredFirewall([])
        let ufwBackend = plan.backend == .ufw && plan.firewall != nil
        let needsTable = !ufwBackend && (targets.contains { $0.id.kind != .port } || plan.firewall != nil)
        let reading = targets.lazy.compactMap { $0.rendered?.payload?.get(FirewallReading.self) }.first
        let table = needsTable ? try await self.table(reading) : nil
        let ufwState = ufwBackend ? try await observedUfw(reading) : nil
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

    /// The table as rendering read it, or as it is now.
    func table(_ reading: FirewallReading?) async throws(ProviderError) -> NftRuleset? {
        if case .table(let table)? = reading { return table }
        return try await nft.observe()
    }
}
