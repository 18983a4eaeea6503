import ChainbotCore
import Testing

@testable import ChainbotEngine

/// Status from a run: sync and health with conditions, HealthChanged events, and Watchtower thresholds.
@Suite struct StatusBuilderTests {
    static let here = SourceLocation(file: "t.yaml", line: 1, column: 1)
    let id = ResourceID(.watchtowerTarget, "api")

    func run(_ health: Health, reason: String, previous: [ResourceStatus], at second: Int64)
        -> StatusBuilder.Result
    {
        let spec = WatchtowerTargetSpec(type: .http, target: "http://127.0.0.1:8000/health", failureThreshold: 3)
        let resource = Resource(
            metadata: Metadata(name: "api"), spec: .watchtowerTarget(spec), location: Self.here, nameLocation: Self.here
        )
        let plan = Plan(
            resources: [ResourcePlan(id: id, action: .unchanged, changes: [], health: health, healthReason: reason)],
            steps: [])
        let prepared = PreparedRun(plan: plan, failures: [], desired: [resource], applied: [:])
        return StatusBuilder(
            generation: "g", now: Timestamp(millisecondsSinceEpoch: second * 1000), previous: previous
        ).build(prepared, report: nil)
    }

    @Test func aTargetTurnsDegradedOnlyAfterItsFailureThresholdAndRecoversWithAnEvent() {
        var statuses = run(.healthy, reason: "200", previous: [], at: 0).statuses
        var events: [Event] = []
        for second in 1...3 {
            let result = run(
                .degraded, reason: "GET http://127.0.0.1:8000/health: 503", previous: statuses, at: Int64(second))
            statuses = result.statuses
            events += result.events
            if second < 3 {
                #expect(statuses[0].health == .healthy, "failure \(second) of 3 does not count yet")
                #expect(statuses[0].conditions[1].message.hasPrefix("probe failed \(second) of 3 times"))
                #expect(events.isEmpty)
            }
        }
        #expect(statuses[0].health == .degraded)
        #expect(events.count == 1)
        #expect(events[0].type == .warning)
        #expect(events[0].reason == "HealthChanged")
        #expect(events[0].message == "Healthy → Degraded: GET http://127.0.0.1:8000/health: 503")
        // Recovery threshold 1: the first pass recovers it, with a Normal event.
        let recovered = run(.healthy, reason: "GET http://127.0.0.1:8000/health: 200", previous: statuses, at: 4)
        #expect(recovered.statuses[0].health == .healthy)
        #expect(recovered.events.map(\.type) == [.normal])
        #expect(recovered.events.first?.message.hasPrefix("Degraded → Healthy") == true)
        // A single failure later starts the count again.
        let blip = run(.degraded, reason: "503", previous: recovered.statuses, at: 5)
        #expect(blip.statuses[0].health == .healthy)
        #expect(blip.events.isEmpty)
    }
}
