public import ChainbotCore

extension SystemdProvider {
    /// Runs a batch of starts and restarts, or of enables and disables, each for another unit, with one
    /// `systemctl` call per verb: `systemctl start A B C` is one transaction of jobs (systemd runs them side
    /// by side and systemctl returns when all are done), then the started units settle together
    /// (`UnitSettle`, one `systemctl list-units` per check for all of them). When a joint call fails, the
    /// units it left active settle like the others (none is restarted twice); the rest run one by one as
    /// `execute` would, so each failure is that unit's own, with its journal. Offline, one by one.
    public func execute(together actions: [StepAction]) async -> [ProviderError?] {
        guard mode == .live, actions.count > 1 else { return await executeEach(actions) }
        var outcomes = [ProviderError?](repeating: nil, count: actions.count)
        var byVerb: [SystemctlVerb: [(position: Int, unit: String)]] = [:]
        for (position, action) in actions.enumerated() {
            guard case .systemctl(let verb, let unit) = action, action.batch != nil else {
                outcomes[position] = ProviderError("the Service provider cannot run '\(action)' together with others")
                continue
            }
            do throws(ProviderError) {
                try SystemdPaths.validateUnitName(unit, suffix: ".service")
                byVerb[verb, default: []].append((position, unit))
            } catch {
                outcomes[position] = error
            }
        }
        var started: [(position: Int, unit: String)] = []
        for verb in SystemctlVerb.allCases {
            guard let members = byVerb[verb] else { continue }
            let units = members.map(\.unit)
            let isJob = verb == .start || verb == .restart
            if await jointCall(verb, units) {
                if isJob { started += members }
                continue
            }
            let states = isJob ? ((try? await settle.states(units)) ?? [:]) : [:]
            let up = members.filter { states[$0.unit]?.active == "active" }
            started += up
            let rest = members.filter { states[$0.unit]?.active != "active" }
            let alone = await executeEach(rest.map { .systemctl(verb, unit: $0.unit) })
            for (member, error) in zip(rest, alone) { outcomes[member.position] = error }
        }
        let failures = await settle.failures(started.map(\.unit))
        for member in started {
            guard let failure = failures[member.unit] else { continue }
            outcomes[member.position] = await explained(failure, member.unit)
        }
        return outcomes
    }

    /// `systemctl VERB UNIT…` (enable and disable with `--no-reload`, as alone); false when it failed.
    private func jointCall(_ verb: SystemctlVerb, _ units: [String]) async -> Bool {
        let isJob = verb == .start || verb == .restart || verb == .stop
        let noReload = verb == .enable || verb == .disable ? ["--no-reload"] : []
        do {
            try await systemctl.run(
                [verb.rawValue] + noReload + units, timeout: isJob ? Systemctl.jobTimeout : Systemctl.quickTimeout)
            return true
        } catch {
            return false
        }
    }
}
