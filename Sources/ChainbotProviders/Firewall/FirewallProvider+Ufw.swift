import ChainbotCore

/// `backend: ufw`: the same three kinds through `ufw` commands. chainbot's rules are recognised by their
/// comment tag; rules without one are left alone (they are not drift). Confirm-or-revert restores a
/// snapshot of ufw's rule files and state (`chainbot firewall-restore-ufw`).
extension FirewallProvider {
    var ufw: UfwBackend { UfwBackend(runner: nft.runner) }

    /// ufw's state as rendering read it, or as it is now.
    func observedUfw(_ reading: FirewallReading?) async throws(ProviderError) -> ObservedUfw {
        if case .ufw(let observed)? = reading { return observed }
        return try await ufw.observe()
    }

    func renderUfw(_ id: ResourceID, _ spec: ResourceSpec, _ plan: DesiredFirewall) async throws(ProviderError)
        -> Rendered
    {
        let desired = try plan.ufwRuleset()
        switch spec {
        case .firewall(let firewall):
            // Read here for the check, then handed to `observe` (one read per run).
            var reading: FirewallReading?
            if !settings.force, let observed = try? await ufw.observe() {
                reading = .ufw(observed)
                let open = Set(
                    observed.owned.filter { $0.owner == "\(id):management" }.compactMap(\.rule).flatMap {
                        $0.ports.flatMap { Array($0.lower...$0.upper) }
                    })
                let dropped = open.subtracting(firewall.managementPorts).sorted()
                if !dropped.isEmpty {
                    throw ProviderError(
                        "refusing to load a firewall that stops accepting management port "
                            + dropped.map(String.init).joined(separator: ", ")
                            + " (Firewall '\(id.name)' no longer lists it in managementPorts); "
                            + "this could cut off the session managing this host. Use --force if that is really meant")
                }
            }
            let facets = [
                Facet(FirewallFacets.policy, .word(desired.policy.rawValue)),
                Facet(FirewallFacets.active, .word("active")),
                Facet(
                    FirewallFacets.rules, Self.ufwLines(desired.rules.filter { $0.owner?.hasPrefix("\(id):") == true })),
            ]
            return reading.map { Rendered(facets, payload: $0) } ?? Rendered(facets)
        case .firewallRule:
            return Rendered([Facet(FirewallFacets.rules, Self.ufwLines(desired.rules.filter { $0.owner == "\(id)" }))])
        case .port:
            return Rendered([Facet(FirewallFacets.exposed, Self.ufwLines(desired.rules.filter { $0.owner == "\(id)" }))]
            )
        default:
            return Rendered([])
        }
    }

    func observeUfw(_ id: ResourceID, _ spec: ResourceSpec, _ observed: ObservedUfw, _ plan: DesiredFirewall)
        -> [String: FacetValue]
    {
        func lines(_ rules: [UfwObservedRule], stale: Bool = false) -> FacetValue {
            guard !rules.isEmpty else { return .absent }
            return .text(
                rules.map { rule in
                    var line = rule.statement
                    if let text = rule.comment.flatMap(Self.userText), !text.isEmpty { line += "  # " + text }
                    if stale, let owner = rule.owner, !plan.declares(owner) {
                        line += "  (from \(owner), not in the manifests)"
                    }
                    return line
                }.joined(separator: "\n") + "\n")
        }
        switch spec {
        case .firewall:
            // chainbot's own rules whose resource left the manifests show here; others' rules never do.
            let mine = observed.owned.filter { $0.owner?.hasPrefix("\(id):") == true || !plan.declares($0.owner) }
            var facets: [String: FacetValue] = [
                FirewallFacets.policy: .word(observed.policy.rawValue),
                FirewallFacets.active: .word(observed.active ? "active" : "inactive"),
                FirewallFacets.rules: lines(mine, stale: true),
            ]
            if let desired = try? plan.ufwRuleset(), !desired.plan(from: observed).isEmpty {
                // Everything else matches but ufw still needs commands: the order is off.
                facets[FirewallFacets.order] = .word("rules out of order")
            }
            return facets
        case .firewallRule:
            return [FirewallFacets.rules: lines(observed.owned.filter { $0.owner == "\(id)" })]
        case .port:
            return [FirewallFacets.exposed: lines(observed.owned.filter { $0.owner == "\(id)" })]
        default:
            return [:]
        }
    }

    static func ufwLines(_ rules: [UfwRule]) -> FacetValue {
        guard !rules.isEmpty else { return .absent }
        return .text(
            rules.map { rule in
                var line = rule.statement
                if let text = rule.comment.flatMap(userText), !text.isEmpty { line += "  # " + text }
                return line
            }.joined(separator: "\n") + "\n")
    }

    static func userText(_ comment: String) -> String? {
        guard NftComment.owner(comment) != nil else { return comment }
        guard let space = comment.firstIndex(of: " ") else { return nil }
        return String(comment[comment.index(after: space)...])
    }

    /// Applies the desired ufw rules with confirm-or-revert: snapshot, arm the watchdog, run the plan's
    /// commands, verify, confirm.
    func loadUfw(_ load: FirewallLoad) async throws(ProviderError) {
        let desired: UfwRuleset
        if load.expected.isEmpty {
            // The Firewall left the manifests: remove chainbot's rules, keep the policy and state.
            let observed = try await ufw.observe()
            desired = UfwRuleset(policy: observed.policy, rules: [])
        } else {
            guard let plan, let rendered = try? plan.ufwRuleset() else {
                throw ProviderError("internal: the ufw rules to load were not rendered in this run")
            }
            desired = rendered
        }
        let backend = ufw
        let observed = try await backend.observe()
        var commands = desired.plan(from: observed)
        if load.expected.isEmpty {
            commands.steps = commands.steps.filter { $0.arguments.first == "delete" }
        }
        guard !commands.isEmpty else { return }
        let snapshot = try await backend.snapshot()
        let guardian = firewallGuard
        let armed = try await guardian.arm(
            revert: UfwSnapshotFile.encode(snapshot), restore: settings.ufwRestore, timeout: load.confirmTimeout)
        let late = ProviderError(
            "firewall reverted: it was not confirmed within \(DurationText.format(load.confirmTimeout))",
            code: .firewallReverted)
        var problem: ProviderError?
        do {
            try await backend.apply(commands)
            if settings.confirmDelay > .zero { try? await Task.sleep(for: settings.confirmDelay) }
            if !load.expected.isEmpty { try await backend.verify(desired) }
        } catch {
            problem = error
        }
        if let problem {
            guard guardian.claimForRevert(armed) else { throw late }
            defer { guardian.cleanUp(armed.token) }
            do { try await backend.restore(snapshot) } catch {
                throw ProviderError(
                    "ufw: \(problem.message), and restoring the previous rules failed too", detail: error.description)
            }
            throw ProviderError(
                "firewall reverted: \(problem.message)", detail: problem.detail, code: .firewallReverted)
        }
        guard guardian.confirm(armed) else { throw late }
    }
}

/// The revert file of a ufw load: the snapshot as JSON (rule files as text, policy, state).
public enum UfwSnapshotFile {
    public static func encode(_ snapshot: UfwBackend.Snapshot) -> String {
        JSONValue.object([
            ("policy", .string(snapshot.policy.rawValue)),
            ("active", .bool(snapshot.active)),
            ("ruleFiles", .array(snapshot.ruleFiles.map { .string(String(decoding: $0, as: UTF8.self)) })),
        ]).serialized()
    }

    public static func decode(_ text: String) -> UfwBackend.Snapshot? {
        guard let value = try? JSONValue(parsing: text), let policy = value["policy"]?.string.flatMap(UfwPolicy.init),
            let active = value["active"]?.bool, let files = value["ruleFiles"]?.array
        else { return nil }
        return UfwBackend.Snapshot(
            ruleFiles: files.compactMap { $0.string.map { Array($0.utf8) } }, policy: policy, active: active)
    }
}
