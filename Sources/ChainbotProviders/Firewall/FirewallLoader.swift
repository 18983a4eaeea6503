import ChainbotCore

/// Loads a `FirewallLoad`: save what is there, arm the revert watchdog, `nft -f`, read back, confirm.
struct FirewallLoader {
    let provider: FirewallProvider

    func load(_ load: FirewallLoad) async throws(ProviderError) {
        let nft = provider.nft
        let table = "table \(NftRuleset.family) \(NftRuleset.table)"
        let current = try await nft.list(json: false)
        // The table as it is now (render checked the one it read; this guards a change since, or a load
        // from elsewhere).
        if !provider.settings.force, !load.expected.isEmpty, let json = try await nft.observe() {
            let dropped = FirewallFacets.managementPorts(in: json).subtracting(load.managementPorts).sorted()
            if !dropped.isEmpty {
                throw ProviderError(
                    "refusing to stop accepting management port \(dropped.map(String.init).joined(separator: ", ")); use --force if that is really meant"
                )
            }
        }
        let revert = "\(table)\ndelete \(table)\n" + (current ?? "")
        let guardian = provider.firewallGuard
        try guardian.makeDirectory()
        let file = guardian.directory + "/load.nft"
        try guardian.write(file, load.rendered)
        let armed = try await guardian.arm(
            revert: revert, restore: [nft.executable, "-f"], timeout: load.confirmTimeout)
        do {
            try await nft.load(file: file)
        } catch {
            // Nothing changed (nft loads one transaction); call the watchdog off.
            _ = guardian.claimForRevert(armed)
            guardian.cleanUp(armed.token)
            throw ProviderError(
                "\(error.message); the previous firewall is unchanged", detail: error.detail)
        }
        if provider.settings.confirmDelay > .zero { try? await Task.sleep(for: provider.settings.confirmDelay) }
        let problem = await verify(load)
        let late = ProviderError(
            "firewall reverted: it was not confirmed within \(DurationText.format(load.confirmTimeout))",
            code: .firewallReverted)
        if let problem {
            // The watchdog may have reverted already (then the problem is only what its revert left).
            guard guardian.claimForRevert(armed) else { throw late }
            defer { guardian.cleanUp(armed.token) }
            do {
                try await nft.load(file: guardian.path("revert", armed.token))
            } catch {
                throw ProviderError(
                    "firewall check failed (\(problem)) and restoring the previous rules failed too",
                    detail: error.description)
            }
            throw ProviderError("firewall reverted: \(problem)", code: .firewallReverted)
        }
        guard guardian.confirm(armed) else { throw late }
    }

    /// What is wrong with the loaded table, or nil when it reads back as rendered.
    func verify(_ load: FirewallLoad) async -> String? {
        let observed: NftRuleset?
        do { observed = try await provider.nft.observe() } catch { return "cannot read it back: \(error.message)" }
        guard let observed else {
            return load.expected.isEmpty ? nil : "table inet chainbot is missing after loading"
        }
        if load.expected.isEmpty { return "table inet chainbot is still there after removing it" }
        let lines = ["policy \(observed.policy.rawValue)"] + observed.rules.map(\.description)
        if lines != load.expected {
            let extra = lines.filter { !load.expected.contains($0) }
            let missing = load.expected.filter { !lines.contains($0) }
            return "it reads back differently from what was loaded"
                + (missing.isEmpty ? "" : "; missing: " + missing.joined(separator: " | "))
                + (extra.isEmpty ? "" : "; unexpected: " + extra.joined(separator: " | "))
        }
        let open = FirewallFacets.managementPorts(in: observed)
        let closed = Set(load.managementPorts).subtracting(open)
        if !closed.isEmpty {
            return "management port \(closed.sorted().map(String.init).joined(separator: ", ")) is not accepted"
        }
        return nil
    }
}
