import Glibc

/// Watches units that were just started or restarted until each has settled or died, from systemd's own
/// signals (`PropertiesChanged` on each unit) rather than by asking again at intervals.
///
/// `systemctl start` returns once systemd removed the start job; for a `Type=simple` service that only
/// means forked, so a service that dies at once shows a moment later. The watch subscribes first, then
/// reads each unit's state (so no change falls between the two) and hears every transition after it: a
/// crash is seen the moment systemd reports it, also one that an auto-restart hid again before a poll
/// would have looked.
public enum SystemdStartWatch {
    /// What the watch saw of one unit.
    public enum Verdict: Sendable, Equatable {
        /// Active for the whole window, with no transition in between.
        case settled
        /// In `failed`, or its `SubState` `auto-restart` (it exited and systemd will start it again).
        case died(active: String, sub: String)
        /// Neither by the limit (a slow start, or a service that exited cleanly), or not loaded: not judged.
        case letGo(active: String, sub: String)
    }

    /// What the watch reads and hears of each unit: its states, and when it last became active.
    static let states = ["LoadState", "ActiveState", "SubState", "ActiveEnterTimestampMonotonic"]

    /// Each of `units`' verdict: settled once active for its window (`windows`, by unit), died at the first
    /// sign of it, let go at `limit` after the watch began. Blocking (up to `limit`, or `timeoutSeconds` for
    /// an unanswered read).
    public static func watch(
        _ units: [String], address: String, windows: [String: Duration], limit: Duration, timeoutSeconds: Int = 25
    ) throws(DBusError) -> [String: Verdict] {
        var connection = try DBusConnection(address: address)
        defer { connection.close() }
        try connection.setReceiveTimeout(seconds: timeoutSeconds)
        try SystemdSignal.subscribe(&connection, rules: [SystemdSignal.matchRules[0]])
        let end = ContinuousClock.now + limit
        let wanted = Dictionary(
            uniqueKeysWithValues: units.map {
                ($0, states.map { SystemdUnitProperties.Property(SystemdSignal.unitInterface, $0) })
            })
        var asked = try SystemdUnitProperties.ask(wanted, on: &connection)
        var values: [String: [String: DBusValue]] = [:]
        let byPath = Dictionary(units.map { (SystemdUnitPath.path(forUnit: $0), $0) }) { first, _ in first }
        var watched = Tracking(units: units, windows: windows)
        while !watched.pending.isEmpty {
            let now = ContinuousClock.now
            if now >= end { break }
            let wait = asked.isEmpty ? min(watched.nextDue ?? end, end) : end
            for message in try connection.receive(waitingAtMost: now.duration(to: wait)) {
                let unit: String
                if let answered = try SystemdUnitProperties.take(message, asked: &asked, into: &values) {
                    unit = answered
                } else if let signalled = message.path.flatMap({ byPath[$0] }), let changed = changes(message) {
                    unit = signalled
                    values[unit, default: [:]].merge(changed) { _, new in new }
                } else {
                    continue
                }
                // Each message on its own: one read can hold an exit and the restart that hides it again.
                watched.note(unit, values[unit], at: ContinuousClock.now)
            }
            // Judged once every unit's first state is in; each later change is in `values` by then too.
            if asked.isEmpty { watched.judge(values, at: ContinuousClock.now) }
        }
        return watched.verdicts(values)
    }

    /// How long ago `micros`, an instant of `CLOCK_MONOTONIC` in microseconds, was (systemd's
    /// `…TimestampMonotonic` properties are on that clock).
    @Sendable static func age(ofMonotonicMicroseconds micros: UInt64) -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        return .microseconds(nowMicros - Int64(clamping: micros))
    }

    /// The same on a thread of its own (a watch blocks for up to `limit`); the task waits without holding
    /// a thread of the pool.
    public static func fetch(
        _ units: [String], address: String, windows: [String: Duration], limit: Duration
    ) async throws(DBusError) -> [String: Verdict] {
        try await DetachedThread.run(name: "cb-settle", stackSize: 512 * 1024) { () throws(DBusError) in
            try watch(units, address: address, windows: windows, limit: limit)
        } noThread: {
            .system($0)
        }
    }

    /// The `ActiveState`, `SubState` and `LoadState` a `PropertiesChanged` on the Unit interface carries.
    static func changes(_ message: DBusMessage) -> [String: DBusValue]? {
        guard message.kind == .signal, message.interface == SystemdSignal.properties,
            message.member == "PropertiesChanged", message.body.count >= 2,
            case .string(SystemdSignal.unitInterface) = message.body[0],
            case .array(_, let entries) = message.body[1]
        else { return nil }
        var changed: [String: DBusValue] = [:]
        for entry in entries {
            guard case .dictEntry(.string(let name), .variant(let value)) = entry, states.contains(name) else {
                continue
            }
            changed[name] = value
        }
        return changed
    }

    /// Which units are still watched, and since when each has been active.
    struct Tracking {
        /// How long each unit must stay active; a unit without one settles once seen active.
        let windows: [String: Duration]
        /// How long ago a `CLOCK_MONOTONIC` instant in microseconds (systemd's `…TimestampMonotonic`) was.
        let age: @Sendable (UInt64) -> Duration
        private(set) var pending: Set<String>
        private var activeSince: [String: ContinuousClock.Instant] = [:]
        /// The last time each unit was heard not active: it has been active since then at the earliest.
        private var inactiveAt: [String: ContinuousClock.Instant] = [:]
        private var decided: [String: Verdict] = [:]

        init(
            units: [String], windows: [String: Duration],
            age: @escaping @Sendable (UInt64) -> Duration = SystemdStartWatch.age(ofMonotonicMicroseconds:)
        ) {
            self.windows = windows
            self.age = age
            pending = Set(units)
        }

        func window(_ unit: String) -> Duration { windows[unit] ?? .zero }

        /// The soonest instant a unit active now would have settled.
        var nextDue: ContinuousClock.Instant? {
            activeSince.map { $0.value + window($0.key) }.min()
        }

        /// What one message said of `unit` at `now`: dead now, or no longer active (its window starts again).
        mutating func note(_ unit: String, _ values: [String: DBusValue]?, at now: ContinuousClock.Instant) {
            guard pending.contains(unit) else { return }
            let (_, active, sub) = Self.state(values)
            if active == "failed" || sub == "auto-restart" {
                decide(unit, .died(active: active, sub: sub))
            } else if !active.isEmpty, active != "active" {
                activeSince[unit] = nil
                inactiveAt[unit] = now
            }
        }

        /// Settles each unit that has been active for its window at `now`. A unit's window runs from the
        /// moment systemd says it became active (`ActiveEnterTimestampMonotonic`), so time spent before the
        /// first look counts, but never from before it was last heard not active; without a timestamp, from
        /// the first look.
        mutating func judge(_ values: [String: [String: DBusValue]], at now: ContinuousClock.Instant) {
            for unit in pending { note(unit, values[unit], at: now) }
            for unit in pending {
                let (load, active, sub) = Self.state(values[unit])
                if load != "loaded" {
                    decide(unit, .letGo(active: active, sub: sub))
                } else if active == "active" {
                    let since = activeSince[unit] ?? becameActive(unit, values[unit], now: now)
                    activeSince[unit] = since
                    if since.duration(to: now) >= window(unit) { decide(unit, .settled) }
                } else {
                    activeSince[unit] = nil
                }
            }
        }

        /// When the unit, active at `now`, became active as far as the watch can tell.
        private func becameActive(
            _ unit: String, _ values: [String: DBusValue]?, now: ContinuousClock.Instant
        ) -> ContinuousClock.Instant {
            guard case .uint64(let micros)? = values?["ActiveEnterTimestampMonotonic"], micros > 0 else { return now }
            let entered = now - min(max(.zero, age(micros)), window(unit))
            return max(entered, inactiveAt[unit] ?? entered)
        }

        private mutating func decide(_ unit: String, _ verdict: Verdict) {
            decided[unit] = verdict
            pending.remove(unit)
            activeSince[unit] = nil
        }

        /// Every unit's verdict; those still pending are let go.
        func verdicts(_ values: [String: [String: DBusValue]]) -> [String: Verdict] {
            var all = decided
            for unit in pending {
                let (_, active, sub) = Self.state(values[unit])
                all[unit] = .letGo(active: active, sub: sub)
            }
            return all
        }

        static func state(_ values: [String: DBusValue]?) -> (load: String, active: String, sub: String) {
            func text(_ name: String) -> String {
                if case .string(let text)? = values?[name] { return text }
                return ""
            }
            return (text("LoadState"), text("ActiveState"), text("SubState"))
        }
    }
}
