import ChainbotCore
import ChainbotStore
import ChainbotTestSupport

/// When an agent trial kills `chainbot agent` during its first pass (the healing one). The agent prints no
/// per-step progress, so the steps are counted in the state file: a step counts once its outcome is committed.
enum AgentKillPoint: CustomStringConvertible, Hashable {
    /// `milliseconds` after the agent logged `starting:`, or at the first recorded step if that comes first.
    case afterStart(milliseconds: Int)
    /// Once `ceil(fraction × steps)` steps of the pass's revision are recorded (the next may be in flight), or
    /// the pass ended.
    case atRecordedStep(fraction: Double)
    /// Once the agent logged `synced N: …` (the pass is recorded; the agent idles until its next pass).
    case afterSynced

    /// A seeded draw: a fifth soon after the start, a tenth after the pass, the rest spread over the steps.
    static func random(using generator: inout SeededGenerator) -> AgentKillPoint {
        let draw = Double.random(in: 0..<1, using: &generator)
        if draw < 0.2 { return .afterStart(milliseconds: Int.random(in: 0...60, using: &generator)) }
        if draw < 0.3 { return .afterSynced }
        return .atRecordedStep(fraction: Double.random(in: 0..<1, using: &generator))
    }

    var description: String {
        switch self {
        case .afterStart(let milliseconds): "\(milliseconds) ms after the start"
        case .atRecordedStep(let fraction): "at \(Int(fraction * 100))% of the recorded steps"
        case .afterSynced: "after the pass"
        }
    }

    /// The kind of point, for the printed distribution.
    var kind: String {
        switch self {
        case .afterStart: "after the start"
        case .atRecordedStep: "at a recorded step"
        case .afterSynced: "after the pass"
        }
    }
}

/// Decides, poll by poll, whether an agent trial's kill point is reached, from the agent's log and the
/// state file at `statePath` (revisions after `baseline` belong to the agent's pass).
struct AgentKillCondition {
    let point: AgentKillPoint
    let statePath: String
    let baseline: Int64
    private var startedAt: ContinuousClock.Instant?

    init(point: AgentKillPoint, statePath: String, baseline: Int64) {
        self.point = point
        self.statePath = statePath
        self.baseline = baseline
    }

    mutating func reached(_ log: String) -> Bool {
        switch point {
        case .afterSynced:
            return log.contains("chainbot agent: synced ")
        case .afterStart(let milliseconds):
            guard log.contains("chainbot agent: starting:") else { return false }
            let now = ContinuousClock.now
            if startedAt == nil { startedAt = now }
            if let startedAt, now - startedAt >= .milliseconds(milliseconds) { return true }
            return (recordedSteps()?.done ?? 0) >= 1
        case .atRecordedStep(let fraction):
            // A pass that ended first (its steps recorded only at its end, or none planned) is killed idle.
            if log.contains("chainbot agent: synced ") { return true }
            guard let (done, total) = recordedSteps(), total > 0 else { return false }
            return done >= max(1, Int((fraction * Double(total)).rounded(.up)))
        }
    }

    /// The recorded and planned steps of the newest revision after `baseline`; nil before it exists or while
    /// the state file cannot be read (the agent is writing it: the next poll reads again).
    private func recordedSteps() -> (done: Int, total: Int)? {
        guard Fixtures.exists(statePath),
            let store = try? SQLiteStateStore.openReadOnly(path: statePath),
            let newest = try? store.revisions(limit: 1).first, newest.id > baseline,
            let steps = try? store.revision(newest.id)?.steps
        else { return nil }
        return (steps.filter { $0.outcome != .pending }.count, steps.count)
    }
}
