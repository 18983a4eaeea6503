import Glibc
import Testing

@testable import ChainbotOS

/// How `SystemdStartWatch` judges what systemd's signals said of a unit just started: settled once active
/// for the whole window, dead at the first `failed` or auto-restart (also one a restart hid again at
/// once), let go when not loaded or neither by the end. (`SystemdStartWatchInTestbedTests` watches a real
/// systemd.)
@Suite struct SystemdStartWatchTests {
    /// The same window for each of `units`.
    static func windows(_ units: [String], _ window: Duration = .milliseconds(200)) -> [String: Duration] {
        Dictionary(uniqueKeysWithValues: units.map { ($0, window) })
    }

    static func state(
        _ active: String, _ sub: String, load: String = "loaded", entered: UInt64? = nil
    ) -> [String: DBusValue] {
        var values: [String: DBusValue] = [
            "LoadState": .string(load), "ActiveState": .string(active), "SubState": .string(sub),
        ]
        if let entered { values["ActiveEnterTimestampMonotonic"] = .uint64(entered) }
        return values
    }

    /// The age of a monotonic timestamp when the monotonic clock reads 10 s.
    static let tenSecondsIn: @Sendable (UInt64) -> Duration = { .microseconds(10_000_000 - Int64($0)) }

    @Test func theWindowRunsFromWhenSystemdSaysTheUnitBecameActive() {
        let start = ContinuousClock.now
        let units = ["recent.service", "old.service"]
        var tracking = SystemdStartWatch.Tracking(units: units, windows: Self.windows(units), age: Self.tenSecondsIn)
        // Active for 150 ms and for 5 s when first seen.
        let values = [
            "recent.service": Self.state("active", "running", entered: 9_850_000),
            "old.service": Self.state("active", "running", entered: 5_000_000),
        ]
        tracking.judge(values, at: start)
        #expect(tracking.pending == ["recent.service"])
        #expect(tracking.nextDue == start + .milliseconds(50))
        tracking.judge(values, at: start + .milliseconds(49))
        #expect(tracking.pending == ["recent.service"])
        tracking.judge(values, at: start + .milliseconds(50))
        #expect(tracking.verdicts(values) == ["recent.service": .settled, "old.service": .settled])
    }

    @Test func aTimestampNeverCountsTimeBeforeTheUnitWasLastSeenNotActive() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(
            units: ["a.service"], windows: Self.windows(["a.service"]), age: Self.tenSecondsIn)
        var values = ["a.service": Self.state("activating", "start")]
        tracking.judge(values, at: start)
        // Active now, with a timestamp from long before it was seen activating: the window runs from then.
        values["a.service"] = Self.state("active", "running", entered: 5_000_000)
        tracking.judge(values, at: start + .milliseconds(150))
        #expect(tracking.nextDue == start + .milliseconds(200))
        tracking.judge(values, at: start + .milliseconds(199))
        #expect(tracking.pending == ["a.service"])
        tracking.judge(values, at: start + .milliseconds(200))
        #expect(tracking.verdicts(values) == ["a.service": .settled])
    }

    @Test func theAgeOfAMonotonicTimestampIsMeasuredOnTheMonotonicClock() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let micros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        let age = SystemdStartWatch.age(ofMonotonicMicroseconds: micros - 2_000_000)
        #expect(age >= .seconds(2) && age < .seconds(120), "\(age)")
    }

    @Test func aUnitActiveForTheWholeWindowHasSettledAndNotBefore() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(units: ["a.service"], windows: Self.windows(["a.service"]))
        let values = ["a.service": Self.state("active", "running")]
        tracking.judge(values, at: start)
        #expect(tracking.pending == ["a.service"])
        #expect(tracking.nextDue == start + .milliseconds(200))
        tracking.judge(values, at: start + .milliseconds(199))
        #expect(tracking.pending == ["a.service"])
        tracking.judge(values, at: start + .milliseconds(200))
        #expect(tracking.pending.isEmpty)
        #expect(tracking.verdicts(values) == ["a.service": .settled])
    }

    @Test func eachUnitSettlesAfterItsOwnWindowAndAZeroWindowAtTheFirstLook() {
        let start = ContinuousClock.now
        let windows: [String: Duration] = [
            "now.service": .zero, "short.service": .milliseconds(200), "long.service": .seconds(2),
        ]
        var tracking = SystemdStartWatch.Tracking(units: Array(windows.keys), windows: windows)
        let values = windows.mapValues { _ in Self.state("active", "running") }
        tracking.judge(values, at: start)
        #expect(tracking.pending == ["short.service", "long.service"])
        #expect(tracking.nextDue == start + .milliseconds(200))
        tracking.judge(values, at: start + .milliseconds(200))
        #expect(tracking.pending == ["long.service"])
        #expect(tracking.nextDue == start + .seconds(2))
        tracking.judge(values, at: start + .milliseconds(1999))
        #expect(tracking.pending == ["long.service"])
        tracking.judge(values, at: start + .seconds(2))
        #expect(tracking.verdicts(values) == windows.mapValues { _ in SystemdStartWatch.Verdict.settled })
    }

    @Test func aZeroWindowStillFailsAUnitThatIsDeadAtTheFirstLook() {
        var tracking = SystemdStartWatch.Tracking(units: ["a.service"], windows: ["a.service": .zero])
        let values = ["a.service": Self.state("failed", "failed")]
        tracking.judge(values, at: ContinuousClock.now)
        #expect(tracking.verdicts(values) == ["a.service": .died(active: "failed", sub: "failed")])
    }

    @Test func anAutoRestartIsDeathEvenWhenTheUnitIsActiveAgainAtTheEnd() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(
            units: ["a.service", "b.service"], windows: Self.windows(["a.service", "b.service"]))
        var values = ["a.service": Self.state("active", "running"), "b.service": Self.state("active", "running")]
        tracking.judge(values, at: start)
        values["a.service"] = Self.state("activating", "auto-restart")
        tracking.judge(values, at: start + .milliseconds(50))
        values["a.service"] = Self.state("active", "running")
        tracking.judge(values, at: start + .milliseconds(250))
        #expect(tracking.pending.isEmpty)
        #expect(
            tracking.verdicts(values) == [
                "a.service": .died(active: "activating", sub: "auto-restart"), "b.service": .settled,
            ])
    }

    @Test func anExitIsDeathAsSoonAsItIsHeardAlsoBeforeEveryFirstStateIsIn() {
        var tracking = SystemdStartWatch.Tracking(
            units: ["a.service", "b.service"], windows: Self.windows(["a.service", "b.service"]))
        var values = ["a.service": Self.state("activating", "auto-restart")]
        tracking.note("a.service", values["a.service"], at: ContinuousClock.now)
        values["a.service"] = Self.state("active", "running")
        values["b.service"] = Self.state("active", "running")
        tracking.judge(values, at: ContinuousClock.now)
        #expect(tracking.pending == ["b.service"])
        #expect(tracking.verdicts(values)["a.service"] == .died(active: "activating", sub: "auto-restart"))
    }

    @Test func aTransitionHeardBetweenTwoJudgementsStartsTheWindowAgain() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(units: ["a.service"], windows: Self.windows(["a.service"]))
        var values = ["a.service": Self.state("active", "running")]
        tracking.judge(values, at: start)
        // One read held a stop and the start after it: active again when judged, but not since the start.
        tracking.note("a.service", Self.state("deactivating", "stop"), at: start + .milliseconds(100))
        values["a.service"] = Self.state("active", "running")
        tracking.note("a.service", values["a.service"], at: start + .milliseconds(100))
        tracking.judge(values, at: start + .milliseconds(150))
        tracking.judge(values, at: start + .milliseconds(300))
        #expect(tracking.pending == ["a.service"])
        tracking.judge(values, at: start + .milliseconds(350))
        #expect(tracking.verdicts(values) == ["a.service": .settled])
    }

    @Test func aUnitThatLeftActiveStartsItsWindowAgainAndAFailedOneIsDead() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(
            units: ["a.service", "b.service"], windows: Self.windows(["a.service", "b.service"]))
        var values = ["a.service": Self.state("active", "running"), "b.service": Self.state("activating", "start")]
        tracking.judge(values, at: start)
        values["a.service"] = Self.state("deactivating", "stop-sigterm")
        tracking.judge(values, at: start + .milliseconds(100))
        values["a.service"] = Self.state("active", "running")
        values["b.service"] = Self.state("failed", "failed")
        tracking.judge(values, at: start + .milliseconds(150))
        tracking.judge(values, at: start + .milliseconds(300))
        #expect(tracking.pending == ["a.service"], "active again since 150 ms: settles at 350 ms, not at 200")
        tracking.judge(values, at: start + .milliseconds(350))
        #expect(
            tracking.verdicts(values) == ["a.service": .settled, "b.service": .died(active: "failed", sub: "failed")])
    }

    @Test func aUnitNotLoadedOrNeitherByTheEndIsLetGo() {
        let start = ContinuousClock.now
        var tracking = SystemdStartWatch.Tracking(
            units: ["gone.service", "slow.service"], windows: Self.windows(["gone.service", "slow.service"]))
        let values = [
            "gone.service": Self.state("inactive", "dead", load: "not-found"),
            "slow.service": Self.state("activating", "start"),
        ]
        tracking.judge(values, at: start)
        tracking.judge(values, at: start + .seconds(2))
        #expect(tracking.pending == ["slow.service"])
        #expect(tracking.nextDue == nil)
        #expect(
            tracking.verdicts(values) == [
                "gone.service": .letGo(active: "inactive", sub: "dead"),
                "slow.service": .letGo(active: "activating", sub: "start"),
            ])
    }

    @Test func aPropertiesChangedSignalOnTheUnitInterfaceGivesItsStates() {
        var signal = DBusMessage(
            kind: .signal, path: "/org/freedesktop/systemd1/unit/a_2eservice",
            interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged")
        signal.body = [
            .string("org.freedesktop.systemd1.Unit"),
            .array(
                elementSignature: "{sv}",
                [
                    .dictEntry(key: .string("ActiveState"), value: .variant(.string("failed"))),
                    .dictEntry(key: .string("SubState"), value: .variant(.string("failed"))),
                    .dictEntry(key: .string("ActiveEnterTimestamp"), value: .variant(.uint64(5))),
                ]),
            .array(elementSignature: "s", []),
        ]
        #expect(
            SystemdStartWatch.changes(signal) == ["ActiveState": .string("failed"), "SubState": .string("failed")])

        var serviceInterface = signal
        serviceInterface.body[0] = .string("org.freedesktop.systemd1.Service")
        #expect(SystemdStartWatch.changes(serviceInterface) == nil)
        var reply = signal
        reply.kind = .methodReturn
        #expect(SystemdStartWatch.changes(reply) == nil)
    }
}
