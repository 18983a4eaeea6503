import ChainbotCore

extension Reconciler {
    /// What is committed before the first step runs, in one transaction (`StateStore.beginRun`): the
    /// revision with every planned step; every resource the plan creates, as created by chainbot (a run
    /// that dies half-way cannot lose that); and every restart or reload that follows a write, as owed (a
    /// failed or interrupted reload is run again on later passes). Also returns the owed steps by plan
    /// step index. Pure: the owed steps come from `prepared`.
    func runIntent(_ prepared: PreparedRun, generation: String, gitCommit: String?) -> (RunIntent, [Int: [Owed]]) {
        let plan = prepared.plan
        let specs = Dictionary(uniqueKeysWithValues: prepared.desired.map { ($0.id, $0.spec) })
        var created: [AppliedResource] = []
        for resource in plan.resources where resource.action == .create && !resource.steps.isEmpty {
            guard prepared.applied[resource.id]?.createdByChainbot != true, let spec = specs[resource.id] else {
                continue
            }
            let json = SpecCoding.encode(spec)
            created.append(
                AppliedResource(
                    kind: resource.id.kind.rawValue, name: resource.id.name, specJSON: json,
                    specHash: SpecCoding.digest(json), generation: generation, appliedAt: now(),
                    createdByChainbot: true))
        }
        // Owed from an earlier run: settled by this run's step with the same action, whoever asked for it.
        let earlier = Dictionary(grouping: prepared.owed, by: \.action)
        var owed: [Int: [Owed]] = [:]
        var new: [PendingStep] = []
        for step in plan.steps {
            guard let action = PendingAction(step.action) else { continue }
            if followsWrite(step, in: plan) {
                let pending = PendingStep(resource: step.resource, action: action, since: now())
                new.append(pending)
                owed[step.index, default: []].append(Owed(step: pending, isNew: true))
            }
            owed[step.index, default: []] += (earlier[action] ?? []).map { Owed(step: $0, isNew: false) }
        }
        let planned = plan.steps.map { step in
            RevisionStep(
                kind: step.resource.kind.rawValue, name: step.resource.name, action: step.action.description,
                outcome: .pending, startedAt: now(), finishedAt: now())
        }
        let digest = SpecCoding.digest(plan.steps.map { "\($0.resource) \($0.action)" }.joined(separator: "\n"))
        let intent = RunIntent(
            generation: generation, gitCommit: gitCommit, planDigest: plan.steps.isEmpty ? nil : digest,
            steps: planned, created: created, owed: new)
        return (intent, owed)
    }

    /// The owed steps to clear (they ran) and to keep (they failed, with the error, or were blocked after a
    /// write that happened); a step blocked because its write failed is not owed.
    func settle(_ owed: [Int: [Owed]], plan: Plan, records: [StepRecord]) -> (
        done: [PendingStep], failed: [(PendingStep, String)]
    ) {
        if owed.isEmpty { return ([], []) }
        let outcomes = Dictionary(uniqueKeysWithValues: records.map { ($0.step.index, $0.outcome) })
        var done: [PendingStep] = []
        var failed: [(PendingStep, String)] = []
        for (index, steps) in owed {
            for entry in steps {
                let (pending, isNew) = (entry.step, entry.isNew)
                switch outcomes[index] {
                case .succeeded?:
                    done.append(pending)
                case .failed(let error)?:
                    failed.append((pending, error.message))
                case .blocked?, nil:
                    let wrote = Self.requirements(of: plan.steps[index], in: plan).contains { required in
                        plan.steps[required].action.isFileWrite && outcomes[required]?.succeeded == true
                    }
                    // Owed from before, or after a write that happened: still owed.
                    if wrote || !isNew {
                        failed.append((pending, "not run: a step before it failed"))
                    } else {
                        done.append(pending)
                    }
                }
            }
        }
        return (done, failed)
    }

    /// True when a file write runs before `step` in its chain of requirements.
    private func followsWrite(_ step: Step, in plan: Plan) -> Bool {
        Self.requirements(of: step, in: plan).contains { plan.steps[$0].action.isFileWrite }
    }

    /// Every step `step` waits for, directly or through others.
    static func requirements(of step: Step, in plan: Plan) -> Set<Int> {
        var seen: Set<Int> = []
        var stack = step.requires
        while let next = stack.popLast() {
            guard plan.steps.indices.contains(next), seen.insert(next).inserted else { continue }
            stack += plan.steps[next].requires
        }
        return seen
    }

    /// An owed step this run may settle: recorded by this run (`isNew`), or owed from an earlier one.
    struct Owed {
        var step: PendingStep
        var isNew: Bool
    }
}
