/// One recorded apply: which generation it applied, when, and how it ended.
public struct Revision: Sendable, Hashable, Identifiable {
    /// How a finished apply ended.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Every step succeeded.
        case succeeded
        /// Some steps succeeded and some failed or were skipped.
        case partial
        /// No step succeeded.
        case failed
        /// The run stopped (killed, crashed, power lost) before it finished; found by the next run.
        case interrupted
    }

    /// The revision number; increases with every apply and is never reused.
    public var id: Int64
    /// The manifest set's generation the apply came from.
    public var generation: String
    /// The git commit of the manifests, when they were in a git work tree.
    public var gitCommit: String?
    public var startedAt: Timestamp
    /// When the apply finished, or when the next run found it interrupted; nil while it runs.
    public var finishedAt: Timestamp?
    /// How the apply ended; nil while it runs.
    public var outcome: Outcome?
    /// A JSON summary of the apply (counts of steps by outcome, for example), written when it finishes.
    public var summaryJSON: String?
    /// A digest of the planned steps, recorded before the first one ran; nil for revisions without a plan.
    public var planDigest: String?
    /// The process id of the chainbot that began the run (recorded with its intent); nil for revisions
    /// begun without a plan or by a chainbot before schema 5.
    public var writerPID: Int32?

    public init(
        id: Int64, generation: String, gitCommit: String?, startedAt: Timestamp, finishedAt: Timestamp? = nil,
        outcome: Outcome? = nil, summaryJSON: String? = nil, planDigest: String? = nil,
        writerPID: Int32? = nil
    ) {
        self.id = id
        self.generation = generation
        self.gitCommit = gitCommit
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.summaryJSON = summaryJSON
        self.planDigest = planDigest
        self.writerPID = writerPID
    }

    /// True once the apply has been finished with an outcome.
    public var isFinished: Bool { finishedAt != nil }
}
