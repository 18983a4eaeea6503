/// What an apply commits before its first step (DESIGN §6, "intent before action"): the revision with
/// every planned step, the resources it will create as created by chainbot, and the follow-up steps it
/// will owe. One transaction: a run that dies after it leaves an unfinished revision, never a lost one.
public struct RunIntent: Sendable, Hashable {
    public var generation: String
    public var gitCommit: String?
    /// A digest of the planned steps, so two revisions of the same plan can be told apart from others.
    public var planDigest: String?
    /// The planned steps in plan order, recorded with outcome `pending`; step `i` (0-based) has seq `i + 1`.
    public var steps: [RevisionStep]
    /// Resources the plan creates, recorded before anything is created.
    public var created: [AppliedResource]
    /// Follow-up steps owed once the writes before them run.
    public var owed: [PendingStep]

    public init(
        generation: String, gitCommit: String?, planDigest: String? = nil, steps: [RevisionStep],
        created: [AppliedResource] = [], owed: [PendingStep] = []
    ) {
        self.generation = generation
        self.gitCommit = gitCommit
        self.planDigest = planDigest
        self.steps = steps
        self.created = created
        self.owed = owed
    }
}

/// What an apply commits when it ends, in one transaction: the revision's outcome and summary, the
/// last-applied inventory, the owed steps settled, and the run's events.
public struct RunRecord: Sendable {
    public var outcome: Revision.Outcome
    public var summaryJSON: String?
    /// Last-applied records to insert or replace.
    public var applied: [AppliedResource]
    /// Resources to forget (pruned, or left the manifests), by kind and name.
    public var forgotten: [ResourceID]
    /// Owed steps that ran.
    public var pendingDone: [PendingStep]
    /// Owed steps still owed, with why.
    public var pendingFailed: [(PendingStep, String)]
    /// The run's events, recorded in order.
    public var events: [Event]
    /// Renders each event's outbox payload when events go to ALEX OS; nil keeps them in the store only.
    public var outboxPayload: (@Sendable (StoredEvent, String) -> String)?

    public init(
        outcome: Revision.Outcome, summaryJSON: String?, applied: [AppliedResource] = [],
        forgotten: [ResourceID] = [], pendingDone: [PendingStep] = [], pendingFailed: [(PendingStep, String)] = [],
        events: [Event] = [], outboxPayload: (@Sendable (StoredEvent, String) -> String)? = nil
    ) {
        self.outcome = outcome
        self.summaryJSON = summaryJSON
        self.applied = applied
        self.forgotten = forgotten
        self.pendingDone = pendingDone
        self.pendingFailed = pendingFailed
        self.events = events
        self.outboxPayload = outboxPayload
    }
}

/// A revision found unfinished by a writer holding the state lock: its run was killed or crashed.
public struct InterruptedRevision: Sendable, Hashable {
    public var revision: Revision
    /// The last step whose outcome was recorded, with its 1-based position; nil when none was.
    public var lastCompletedSeq: Int?
    public var lastCompletedStep: RevisionStep?
    /// The first step whose outcome was not recorded (it may have been running), with its 1-based position.
    public var firstUnrecordedSeq: Int?
    public var firstUnrecordedStep: RevisionStep?
    /// How many steps were planned.
    public var plannedSteps: Int

    public init(
        revision: Revision, lastCompletedSeq: Int? = nil, lastCompletedStep: RevisionStep? = nil,
        firstUnrecordedSeq: Int? = nil, firstUnrecordedStep: RevisionStep? = nil, plannedSteps: Int = 0
    ) {
        self.revision = revision
        self.lastCompletedSeq = lastCompletedSeq
        self.lastCompletedStep = lastCompletedStep
        self.firstUnrecordedSeq = firstUnrecordedSeq
        self.firstUnrecordedStep = firstUnrecordedStep
        self.plannedSteps = plannedSteps
    }
}
