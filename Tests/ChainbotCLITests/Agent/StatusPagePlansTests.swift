import ChainbotCore
import Testing

@testable import ChainbotCLI
@testable import ChainbotEngine

/// The agent's last look at each resource, as the detail view tells it: matched, corrected, failed to
/// correct, or only reported; a pruned resource's look is forgotten.
@Suite struct StatusPagePlansTests {
    static let motd = ResourceID(.configFile, "motd")
    static let change = FieldChange(resource: motd, facet: "mode", from: .word("0600"), to: .word("0644"))

    /// A pass that planned one step for motd (changing its mode) with `outcome`.
    static func pass(_ outcome: StepOutcome?, action: ResourcePlan.Action = .update, pruned: Bool = false)
        -> ApplyReport
    {
        let step = Step(index: 0, resource: motd, action: .removeFile(path: "/etc/motd"), reason: "mode changed")
        let plan = Plan(
            resources: [ResourcePlan(id: motd, action: action, changes: [change], steps: outcome == nil ? [] : [0])],
            steps: outcome == nil ? [] : [step])
        let now = Timestamp.now()
        return ApplyReport(
            prepared: PreparedRun(plan: plan, failures: [], desired: [], applied: [:]),
            records: outcome.map { [StepRecord(step: step, outcome: $0, startedAt: now, finishedAt: now)] } ?? [],
            revision: nil, changed: [], unchanged: [], failed: [], pruned: pruned ? [motd] : [])
    }

    @Test func theDetailViewSaysWhetherTheLastLookCorrectedWhatDiffered() {
        let plans = StatusPagePlans()
        plans.record(Self.pass(.succeeded))
        let applied = StatusPageDiff.html(plans.entry(Self.motd))
        #expect(applied.contains("found these differences and corrected them:"))
        #expect(applied.contains("<tr><td>mode</td><td>0600</td><td>0644</td></tr>"))
        #expect(applied.contains("Steps planned: remove /etc/motd."), "\(applied)")

        plans.record(Self.pass(.failed(ProviderError("disk <full>"))))
        #expect(StatusPageDiff.html(plans.entry(Self.motd)).contains("correcting them failed:"))
        plans.record(Self.pass(nil, action: .warn))
        #expect(StatusPageDiff.html(plans.entry(Self.motd)).contains("reported, not corrected: drift policy warn."))
        plans.record(Self.pass(.succeeded, pruned: true))
        #expect(plans.entry(Self.motd) == nil, "a pruned resource has no look")
        #expect(StatusPageDiff.html(nil).contains("has not looked at it since it started"))
    }
}
