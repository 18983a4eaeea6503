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

    /// Runs every step, calling `progress` before (nil outcome) and after each one.
    public func run(
        _ plan: Plan, progress: @Sendable (Step, StepOutcome?) -> Void = { _, _ in }
    ) async -> [StepRecord] {
        var records: [StepRecord] = []
        var outcomes: [Int: StepOutcome] = [:]
        for step in plan.steps {
            let started = now()
            let outcome: StepOutcome
            if let blocker = step.requires.first(where: { outcomes[$0]?.succeeded != true }) {
                outcome = .blocked(by: blocker)
            } else if let provider = providers[step.resource.kind] {
                progress(step, nil)
                do {
                    try await provider.execute(step.action)
                    outcome = .succeeded
                } catch {
                    outcome = .failed(error)
                }
            } else {
                outcome = .failed(ProviderError("no provider manages \(step.resource.kind.rawValue) resources"))
            }
            outcomes[step.index] = outcome
            records.append(StepRecord(step: step, outcome: outcome, startedAt: started, finishedAt: now()))
            progress(step, outcome)
        }
        return records
    }
}
