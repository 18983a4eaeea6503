import ChainbotCore
import ChainbotStore

/// When a kill came, from what it left in the state file.
enum KillMoment: String, CaseIterable {
    case beforeTheStore = "before the state file existed"
    case whileCreatingTheStore = "while the state file was being created (schema not yet current)"
    case beforeTheRun = "before the run was recorded"
    case midRun = "mid-run (revision interrupted)"
    case afterTheRun = "after the revision finished"
}

/// What a trial found right after its kill: when it came, the revision left unfinished, the host changes
/// explained only by the step in flight, and every disagreement between the host and the store.
struct KillTrialAudit {
    var moment: KillMoment = .beforeTheStore
    var interrupted: Int64?
    var inFlightOnly: [String] = []
    var problems: [String] = []

    /// Checks the host (`after`, changed from `before` by the killed run) against the state file: every
    /// resource on the host recorded as created by chainbot, every change made by a step that is recorded
    /// (ran) or in flight (the first unrecorded group of steps of the unfinished revision), at most one
    /// unfinished revision. `baseline` is the last revision before the killed run.
    init(before: KillTrialSnapshot, after: KillTrialSnapshot, store state: KillTrialHost.Store, baseline: Int64)
        throws(StoreError)
    {
        let evidence = after.evidence(since: before)
        let store: SQLiteStateStore
        switch state {
        case .absent:
            problems += evidence.map { "\($0.what) before the state file existed" }
            return
        case .beingCreated:
            moment = .whileCreatingTheStore
            problems += evidence.map { "\($0.what) before the state file was fully created" }
            return
        case .ready(let ready):
            store = ready
        }
        do throws(StoreError) {
            try audit(store, evidence: evidence, present: after.present, baseline: baseline)
        } catch {
            guard error.code == .schemaTooOld else { throw error }
            // Killed between two of the migrations that create the state file: no run can have begun.
            moment = .whileCreatingTheStore
            problems += evidence.map { "\($0.what) before the state file was fully created" }
        }
    }

    private mutating func audit(
        _ store: SQLiteStateStore, evidence: [(what: String, actions: [String])], present: [String], baseline: Int64
    ) throws(StoreError) {
        let owned = Set(try store.allApplied().filter(\.createdByChainbot).map { "\($0.kind)/\($0.name)" })
        for resource in present where !owned.contains(resource) {
            problems.append("\(resource) is on the host but not recorded as created by chainbot")
        }
        let revisions = try store.revisions(limit: 1000).filter { $0.id > baseline }
        var recorded: Set<String> = []
        var inFlight: Set<String> = []
        for revision in revisions {
            let steps = try store.revision(revision.id)?.steps ?? []
            recorded.formUnion(steps.filter { $0.outcome != .pending }.map(\.action))
            if !revision.isFinished { inFlight = Self.firstUnrecordedGroup(steps) }
        }
        for (what, actions) in evidence where recorded.isDisjoint(with: actions) {
            if inFlight.isDisjoint(with: actions) {
                problems.append("\(what), but no step that does it is recorded (in flight: \(inFlight.sorted()))")
            } else {
                inFlightOnly.append(what)
            }
        }
        let unfinished = revisions.filter { !$0.isFinished }
        if unfinished.count > 1 { problems.append("\(unfinished.count) unfinished revisions") }
        interrupted = unfinished.first?.id
        moment = interrupted != nil ? .midRun : (revisions.isEmpty ? .beforeTheRun : .afterTheRun)
    }

    /// The steps that may have run without a record: the first pending one, and when it starts or restarts a
    /// unit, the starts and restarts after it, or when it enables or disables one, the enables and
    /// disables after it (the executor runs such a batch as one, up to `Executor.batchLimit`, 128).
    static func firstUnrecordedGroup(_ steps: [RevisionStep]) -> Set<String> {
        guard let first = steps.firstIndex(where: { $0.outcome == .pending }) else { return [] }
        func batch(_ step: RevisionStep) -> String? {
            let verbs = ["start": "jobs", "restart": "jobs", "enable": "links", "disable": "links"]
            let words = step.action.split(separator: " ")
            guard words.count == 3, words[0] == "systemctl" else { return nil }
            return verbs[String(words[1])]
        }
        guard let kind = batch(steps[first]) else { return [steps[first].action] }
        return Set(steps[first...].prefix(128).prefix(while: { batch($0) == kind }).map(\.action))
    }

    /// After the next apply: every resource recorded as created by chainbot, no revision left running, and
    /// the interrupted one finished as `interrupted` with an `ApplyInterrupted` event naming it.
    static func convergedProblems(store: SQLiteStateStore?, interrupted: Int64?) throws -> [String] {
        guard let store else { return ["no state file after the next apply"] }
        var problems: [String] = []
        let owned = Set(try store.allApplied().filter(\.createdByChainbot).map { "\($0.kind)/\($0.name)" })
        for resource in KillTrialManifests.resources + ["ConfigFile/kt-keep"] where !owned.contains(resource) {
            problems.append("\(resource) is not recorded as created by chainbot after the next apply")
        }
        if try !store.revisions(limit: 1000).allSatisfy(\.isFinished) {
            problems.append("a revision is still running after the next apply")
        }
        guard let interrupted else { return problems }
        let outcome = try store.revision(interrupted)?.revision.outcome
        if outcome != .interrupted { problems.append("revision \(interrupted) is \(String(describing: outcome))") }
        let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
        let said = events.contains {
            $0.event.reason == "ApplyInterrupted"
                && $0.event.message.hasPrefix("revision \(interrupted) was interrupted")
        }
        if !said { problems.append("no ApplyInterrupted event for revision \(interrupted)") }
        return problems
    }
}
