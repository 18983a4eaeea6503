public import ChainbotCore

/// What happened to one step.
public enum StepOutcome: Sendable, Hashable {
    case succeeded
    case failed(ProviderError)
    /// Not run because a step it requires failed or was blocked.
    case blocked(by: Int)

    public var succeeded: Bool { self == .succeeded }
}

/// A step's outcome with its timing.
public struct StepRecord: Sendable, Hashable {
    public var step: Step
    public var outcome: StepOutcome
    public var startedAt: Timestamp
    public var finishedAt: Timestamp
}

/// Runs a plan's steps in order; a failed step blocks the steps that require it, not the others.
public struct Executor: Sendable {
    let providers: [Kind: any Provider]
    let now: @Sendable () -> Timestamp

    public init(providers: [any Provider], now: @escaping @Sendable () -> Timestamp) {
        var byKind: [Kind: any Provider] = [:]
        for provider in providers {
            for kind in provider.kinds { byKind[kind] = provider }
        }
        self.providers = byKind
        self.now = now
    }

    /// Runs every step, calling `progress` before (nil outcome) and after each one, and `finished` with
    /// the records of each group of steps that ran side by side once all of them ended (to commit their
    /// outcomes). When `finished` returns false no further step runs: the records so far are returned.
    public func run(
        _ plan: Plan, progress: @Sendable (Step, StepOutcome?) -> Void = { _, _ in },
        finished: ([StepRecord]) -> Bool = { _ in true }
    ) async -> [StepRecord] {
        var records: [StepRecord] = []
        var outcomes: [Int: StepOutcome] = [:]
        var next = 0
        while next < plan.steps.count {
            let batch = Self.batch(plan.steps, from: next)
            let started = now()
            var runnable: [Step] = []
            for step in batch {
                if let blocker = step.requires.first(where: { outcomes[$0]?.succeeded != true }) {
                    outcomes[step.index] = .blocked(by: blocker)
                } else {
                    runnable.append(step)
                    progress(step, nil)
                }
            }
            outcomes.merge(await execute(together: runnable)) { _, new in new }
            let first = records.count
            for step in batch {
                let outcome = outcomes[step.index] ?? .blocked(by: step.index)
                records.append(StepRecord(step: step, outcome: outcome, startedAt: started, finishedAt: now()))
                progress(step, outcome)
            }
            next += batch.count
            guard finished(Array(records[first...])) else { break }
        }
        return records
    }

    /// Runs a batch's runnable steps: one step alone, several through their providers' `execute(together:)`
    /// (one call per kind, side by side).
    private func execute(together steps: [Step]) async -> [Int: StepOutcome] {
        if steps.count == 1, let step = steps.first { return [step.index: await execute(step)] }
        let byKind = Dictionary(grouping: steps, by: \.resource.kind)
        return await withTaskGroup(of: [Int: StepOutcome].self) { group in
            for (kind, members) in byKind {
                group.addTask {
                    guard let provider = self.providers[kind] else {
                        var outcomes: [Int: StepOutcome] = [:]
                        for step in members { outcomes[step.index] = await self.execute(step) }
                        return outcomes
                    }
                    let errors = await provider.execute(together: members.map(\.action))
                    var outcomes: [Int: StepOutcome] = [:]
                    for (position, step) in members.enumerated() {
                        let error = position < errors.count ? errors[position] : nil
                        outcomes[step.index] = error.map { .failed($0.regarding(step.resource)) } ?? .succeeded
                    }
                    return outcomes
                }
            }
            var collected: [Int: StepOutcome] = [:]
            for await outcomes in group { collected.merge(outcomes) { _, new in new } }
            return collected
        }
    }

    private func execute(_ step: Step) async -> StepOutcome {
        guard let provider = providers[step.resource.kind] else {
            return .failed(
                ProviderError("no provider manages \(step.resource.kind.rawValue) resources", code: .unsupported)
                    .regarding(step.resource))
        }
        do {
            try await provider.execute(step.action)
            return .succeeded
        } catch {
            return .failed(error.regarding(step.resource))
        }
    }

    /// The steps from `start` that run together: a run of actions of one `StepAction.batch` (service
    /// starts and restarts; enables and disables) for different resources, none requiring another in the
    /// run (at most `batchLimit`); otherwise one step.
    static func batch(_ steps: [Step], from start: Int) -> ArraySlice<Step> {
        guard let kind = steps[start].action.batch else { return steps[start...start] }
        var end = start + 1
        var members: Set<Int> = [steps[start].index]
        var resources: Set<ResourceID> = [steps[start].resource]
        while end < steps.count, end - start < batchLimit, steps[end].action.batch == kind,
            !resources.contains(steps[end].resource), steps[end].requires.allSatisfy({ !members.contains($0) })
        {
            members.insert(steps[end].index)
            resources.insert(steps[end].resource)
            end += 1
        }
        return steps[start..<end]
    }

    /// The most steps in one batch: a systemd provider runs them as one `systemctl` call.
    static let batchLimit = 128
}
