import ChainbotCore
import ChainbotEngine
import Testing

/// A WatchtowerTarget whose probe keeps giving the same answer has the same status pass after pass, so an
/// idle agent does not write it again (issue 15): the probe count stops at the threshold.
@Suite struct SteadyTargetStatusTests {
    static let here = SourceLocation(file: "t.yaml", line: 1, column: 1)
    static let id = ResourceID(.watchtowerTarget, "api")

    static func run(_ health: Health, previous: [ResourceStatus], at second: Int64) -> [ResourceStatus] {
        let spec = WatchtowerTargetSpec(
            type: .http, target: "http://127.0.0.1:8000/health", failureThreshold: 3, recoveryThreshold: 2)
        let resource = Resource(
            metadata: Metadata(name: "api"), spec: .watchtowerTarget(spec), location: here, nameLocation: here)
        let plan = Plan(
            resources: [ResourcePlan(id: id, action: .unchanged, changes: [], health: health, healthReason: "probe")],
            steps: [])
        let prepared = PreparedRun(plan: plan, failures: [], desired: [resource], applied: [:])
        return StatusBuilder(
            generation: "g", now: Timestamp(millisecondsSinceEpoch: second * 1000), previous: previous
        ).build(prepared, report: nil).statuses
    }

    /// The status as the store compares it: everything but `updatedAt`.
    static func stored(_ statuses: [ResourceStatus]) -> [ResourceStatus] {
        statuses.map { status in
            var status = status
            status.updatedAt = Timestamp(millisecondsSinceEpoch: 0)
            return status
        }
    }

    @Test func aSteadyTargetsStatusStopsChangingOnceItsCountReachesTheThreshold() {
        for health in [Health.healthy, .degraded] {
            var statuses = Self.run(health, previous: [], at: 0)
            for second in 1...5 { statuses = Self.run(health, previous: statuses, at: Int64(second)) }
            let next = Self.run(health, previous: statuses, at: 6)
            #expect(Self.stored(next) == Self.stored(statuses), "\(health): \(next) after \(statuses)")
            #expect(next.first?.health == health)
        }
        // The thresholds still decide: two failures stay healthy, the third turns it degraded.
        var statuses = Self.run(.healthy, previous: [], at: 0)
        for second in 1...2 { statuses = Self.run(.degraded, previous: statuses, at: Int64(second)) }
        #expect(statuses.first?.health == .healthy)
        statuses = Self.run(.degraded, previous: statuses, at: 3)
        #expect(statuses.first?.health == .degraded)
        statuses = Self.run(.healthy, previous: statuses, at: 4)
        #expect(statuses.first?.health == .degraded, "one pass of two does not recover it")
        statuses = Self.run(.healthy, previous: statuses, at: 5)
        #expect(statuses.first?.health == .healthy)
    }
}
