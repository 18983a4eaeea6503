import ChainbotCore
import ChainbotOS

/// Watches units just started or restarted for a short settle time (each service's `minUptime`, 200 ms
/// unless its manifest says otherwise), all of them with one
/// `systemctl list-units` per check (15 ms for 100 units, where `systemctl show` takes 20 times as long:
/// it fetches every property of each unit).
///
/// `systemctl start` and `restart` return once every job is done (systemctl waits for systemd's
/// `JobRemoved` itself), but for a `Type=simple` service "done" means forked: a service that dies at once
/// (a crash on start-up, a missing interpreter) only shows in its state a moment later. A unit that lands
/// in `failed` or an auto-restart loop within the settle time is a failure (its `Result` and exit status,
/// from one `systemctl show`, say why); one seen `active` at every check of its settle time has settled;
/// one still neither 1.3 s after that is let go (as a slow start, not a failure).
///
/// With a D-Bus reader the units are watched from systemd's signals instead (`SystemdStartWatch`): a unit
/// active for the settle window with no transition (counted from when systemd made it active) has
/// settled, one that lands in `failed` or an auto-restart is a failure the moment systemd says so, also
/// when the restart hid it again before the next check would have looked. The failure's `Result` is read over D-Bus too. Where the watch cannot be
/// made (a refused connection), the checks are made as without a reader.
struct UnitSettle: Sendable {
    let systemctl: Systemctl
    var reader: UnitPropertyReader? = nil
    /// How long each unit must stay active, by name (`spec.minUptime`); others `ServiceSpec.defaultMinUptime`.
    var minUptimes: [String: Duration] = [:]

    /// How often the units are checked without the watch.
    static let interval: Duration = .milliseconds(100)
    /// How long after the longest settle time the units are watched before one that is neither settled
    /// nor dead is let go (1.5 s from the start with the default 200 ms).
    static let grace: Duration = .milliseconds(1300)
    static let listing = ["list-units", "--all", "--plain", "--no-legend", "--full", "--"]

    /// How long `unit` must stay active.
    func window(_ unit: String) -> Duration { minUptimes[unit] ?? ServiceSpec.defaultMinUptime }

    /// When the watch of `units` lets go of those neither settled nor dead.
    func limit(_ units: [String]) -> Duration { (units.map(window).max() ?? ServiceSpec.defaultMinUptime) + Self.grace }

    /// How many checks `interval` apart must see `unit` active in a row: its settle time, and at least one.
    func checksActive(_ unit: String) -> Int { max(1, Int((window(unit) / Self.interval).rounded(.up))) }

    /// The units that failed, with why; the others settled or were let go. A failing `systemctl` fails
    /// every unit not settled yet.
    func failures(_ units: [String]) async -> [String: ProviderError] {
        if let reader, !units.isEmpty,
            let verdicts = try? await SystemdStartWatch.fetch(
                units, address: reader.address, windows: Dictionary(units.map { ($0, window($0)) }) { a, _ in a },
                limit: limit(units))
        {
            var restarting: Set<String> = []
            let dead = units.filter { unit in
                guard case .died(_, let sub) = verdicts[unit] else { return false }
                if sub == "auto-restart" { restarting.insert(unit) }
                return true
            }
            return dead.isEmpty ? [:] : await whyFailed(dead, restarting: restarting)
        }
        return await polledFailures(units)
    }

    /// `failures` by checks `interval` apart.
    func polledFailures(_ units: [String]) async -> [String: ProviderError] {
        var pending = units
        var steady: [String: Int] = [:]
        var failed: [String: ProviderError] = [:]
        let checks = Int((limit(units) / Self.interval).rounded(.up))
        for _ in 0..<checks where !pending.isEmpty {
            try? await Task.sleep(for: Self.interval)
            let states: [String: (active: String, sub: String)]
            do {
                states = try await self.states(pending)
            } catch {
                for unit in pending { failed[unit] = error }
                return failed
            }
            var dead: [String] = []
            pending = pending.filter { unit in
                let state = states[unit]
                if state?.active == "failed" || state?.sub == "auto-restart" {
                    dead.append(unit)
                    return false
                }
                steady[unit] = state?.active == "active" ? (steady[unit] ?? 0) + 1 : 0
                return (steady[unit] ?? 0) < checksActive(unit)
            }
            if !dead.isEmpty { failed.merge(await whyFailed(dead)) { _, new in new } }
        }
        return failed
    }

    /// The `ActiveState` and `SubState` of each loaded unit of `units`, from one `systemctl list-units`.
    func states(_ units: [String]) async throws(ProviderError) -> [String: (active: String, sub: String)] {
        if let statuses = await reader?.statuses(units, ["LoadState", "ActiveState", "SubState"]) {
            // As list-units: a unit systemd has not loaded has no state.
            return statuses.filter { $0.value.isFound }.mapValues { ($0.activeState, $0.subState) }
        }
        return UnitListParser.states(
            try await systemctl.run(Self.listing + units, timeout: Systemctl.quickTimeout).output)
    }

    /// Each dead unit's failure, with its `Result` and exit status when `systemctl show` tells them.
    /// `restarting`: those seen in an auto-restart, which systemd is starting again.
    private func whyFailed(_ units: [String], restarting: Set<String> = []) async -> [String: ProviderError] {
        var statuses = await reader?.statuses(units, ["Result", "ExecMainStatus"])
        if statuses == nil {
            let shown = try? await systemctl.run(
                ["show", "--property=Result,ExecMainStatus", "--"] + units, timeout: Systemctl.quickTimeout)
            statuses = shown.map { SystemctlShowParser.statuses($0.output, units: units) }
        }
        var failures: [String: ProviderError] = [:]
        for unit in units {
            failures[unit] = Self.failure(
                unit, statuses?[unit] ?? UnitStatus(), restarting: restarting.contains(unit))
        }
        return failures
    }

    static func failure(_ unit: String, _ status: UnitStatus, restarting: Bool = false) -> ProviderError {
        let result = status.values["Result"].map { " (\($0), status \(status.values["ExecMainStatus"] ?? "?"))" } ?? ""
        let again = restarting ? ": it exited and systemd is restarting it" : ""
        return ProviderError("\(unit) failed right after starting\(result)\(again)", retryable: true)
    }
}
