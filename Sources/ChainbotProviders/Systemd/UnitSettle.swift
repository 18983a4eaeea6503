import ChainbotCore

/// Watches units just started or restarted for a short settle time, all of them with one
/// `systemctl show` per check.
///
/// `systemctl start` and `restart` return once every job is done (systemctl waits for systemd's
/// `JobRemoved` itself), but for a `Type=simple` service "done" means forked: a service that dies at once
/// (a crash on start-up, a missing interpreter) only shows in its state a moment later. A unit that lands
/// in `failed` or an auto-restart loop within the settle time is a failure; one seen `active` twice in a
/// row has settled; one still neither after the last check is let go (as a slow start, not a failure).
struct UnitSettle: Sendable {
    let systemctl: Systemctl

    /// How often and how many times the units are checked (at most 1.5 s, usually 0.2 s).
    static let checks = 15
    static let interval: Duration = .milliseconds(100)
    static let properties = "--property=ActiveState,SubState,Result,ExecMainStatus"

    /// The units that failed, with why; the others settled or were let go. A failing `systemctl show`
    /// fails every unit not settled yet.
    func failures(_ units: [String]) async -> [String: ProviderError] {
        var pending = units
        var steady: [String: Int] = [:]
        var failed: [String: ProviderError] = [:]
        for _ in 0..<Self.checks where !pending.isEmpty {
            try? await Task.sleep(for: Self.interval)
            let output: String
            do {
                output = try await systemctl.run(["show", Self.properties] + pending, timeout: Systemctl.quickTimeout)
                    .output
            } catch {
                for unit in pending { failed[unit] = error }
                return failed
            }
            let statuses = SystemctlShowParser.statuses(output, units: pending)
            pending = pending.filter { unit in
                let status = statuses[unit] ?? UnitStatus()
                if status.activeState == "failed" || status.subState == "auto-restart" {
                    failed[unit] = Self.failure(unit, status)
                    return false
                }
                steady[unit] = status.activeState == "active" ? (steady[unit] ?? 0) + 1 : 0
                return (steady[unit] ?? 0) < 2
            }
        }
        return failed
    }

    static func failure(_ unit: String, _ status: UnitStatus) -> ProviderError {
        let result = status.values["Result"].map { " (\($0), status \(status.values["ExecMainStatus"] ?? "?"))" } ?? ""
        return ProviderError("\(unit) failed right after starting\(result)", retryable: true)
    }
}
