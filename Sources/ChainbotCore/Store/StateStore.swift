/// Keeps what chainbot applied, its history, its events and the outbox of events still to deliver.
///
/// Calls block the caller while they wait for the state file's lock, up to the store's busy timeout.
/// Every method that writes does so in one transaction: it happens entirely or not at all.
public protocol StateStore: Sendable {
    // MARK: Last-applied inventory

    /// Inserts or replaces the last-applied record of `resource.kind`/`resource.name`.
    func recordApplied(_ resource: AppliedResource) throws(StoreError)

    /// The last-applied record of one resource, or nil when chainbot has not applied it.
    func applied(kind: String, name: String) throws(StoreError) -> AppliedResource?

    /// Every last-applied record, ordered by kind then name.
    func allApplied() throws(StoreError) -> [AppliedResource]

    /// Forgets one resource (after it was pruned); returns false when there was no record.
    @discardableResult
    func deleteApplied(kind: String, name: String) throws(StoreError) -> Bool

    // MARK: Revisions

    /// Starts recording an apply of `generation`, stamped with the store's current time.
    func beginRevision(generation: String, gitCommit: String?) throws(StoreError) -> Revision

    /// Appends `step` to a revision that has not finished; returns the step's 1-based position.
    @discardableResult
    func addStep(_ step: RevisionStep, toRevision revisionID: Int64) throws(StoreError) -> Int

    /// Ends a revision with its outcome and summary, stamped with the store's current time.
    @discardableResult
    func finishRevision(_ revisionID: Int64, outcome: Revision.Outcome, summaryJSON: String?) throws(StoreError)
        -> Revision

    /// Commits `intent` in one transaction before an apply's first step: a new revision with every planned
    /// step (outcome `pending`), the resources it creates as created by chainbot, and the steps it will owe.
    /// It is also the proof that the state file can be written: when it throws, nothing may be applied.
    func beginRun(_ intent: RunIntent) throws(StoreError) -> Revision

    /// Records the outcomes of planned steps of an unfinished revision as they finish, by 1-based seq.
    func recordStepOutcomes(_ steps: [(seq: Int, step: RevisionStep)], revision revisionID: Int64)
        throws(StoreError)

    /// Ends a revision begun with `beginRun`, in one transaction with its inventory, owed steps and events.
    @discardableResult
    func finishRun(_ revisionID: Int64, _ record: RunRecord) throws(StoreError) -> Revision

    /// Finishes every unfinished revision as `interrupted` and returns them. Call it only while holding
    /// the state lock: an unfinished revision then belongs to a run that can no longer finish it.
    func interruptUnfinishedRevisions() throws(StoreError) -> [InterruptedRevision]

    /// The latest `limit` revisions, newest first.
    func revisions(limit: Int) throws(StoreError) -> [Revision]

    /// One revision with its steps, or nil when there is no such revision.
    func revision(_ revisionID: Int64) throws(StoreError) -> RevisionDetail?

    // MARK: Events and outbox

    /// Records one occurrence of `event` at the store's current time.
    ///
    /// An event with the same type, reason, regarding resource and message as a stored one counts again
    /// (count + 1, last seen now); otherwise it is inserted. When `outboxPayload` is given, one outbox
    /// entry for this occurrence is enqueued in the same transaction, with the payload it renders from
    /// the counted event and the entry's idempotency key.
    @discardableResult
    func recordEvent(_ event: Event, outboxPayload: ((StoredEvent, _ idempotencyKey: String) -> String)?)
        throws(StoreError) -> RecordedEvent

    /// Events last seen at or after `since`, least recently seen first.
    func events(since: Timestamp) throws(StoreError) -> [StoredEvent]

    /// Up to `limit` undelivered entries whose next attempt is due, in enqueue order.
    func pendingOutboxEntries(limit: Int) throws(StoreError) -> [OutboxEntry]

    /// Up to `limit` due entries that are the oldest undelivered entry of their resource, in enqueue order:
    /// what may be sent now without overtaking an earlier event of the same resource that waits to be retried.
    func deliverableOutboxEntries(limit: Int) throws(StoreError) -> [OutboxEntry]

    /// Marks an entry delivered at the store's current time.
    func markDelivered(_ entryID: Int64) throws(StoreError)

    /// Counts a failed delivery: attempts + 1, the error kept, next attempt `retryAfter` from now.
    @discardableResult
    func markFailed(_ entryID: Int64, error: String, retryAfter: Duration) throws(StoreError) -> OutboxEntry

    /// How many entries are not delivered yet, due or not.
    func pendingOutboxCount() throws(StoreError) -> Int

    // MARK: Status and suspensions

    /// Inserts or replaces the status of `status.kind`/`status.name`.
    func recordStatus(_ status: ResourceStatus) throws(StoreError)

    /// Every stored status, ordered by kind then name.
    func allStatus() throws(StoreError) -> [ResourceStatus]

    /// Forgets the status of a resource that is no longer managed.
    func deleteStatus(kind: String, name: String) throws(StoreError)

    /// Suspends (or extends the suspension of) one resource.
    func suspend(_ suspension: Suspension) throws(StoreError)

    /// Ends a suspension; false when the resource was not suspended.
    @discardableResult
    func resume(kind: String, name: String) throws(StoreError) -> Bool

    /// Suspensions that have not expired at `now`.
    func suspensions(at now: Timestamp) throws(StoreError) -> [Suspension]

    // MARK: Owed follow-up steps

    /// Records steps owed to resources (a restart after a write); one already owed keeps its `since`.
    func recordPending(_ steps: [PendingStep]) throws(StoreError)

    /// Marks owed steps done (they succeeded) and records the last failure of others, in one transaction.
    func settlePending(done: [PendingStep], failed: [(PendingStep, String)]) throws(StoreError)

    /// Every owed step, ordered by resource.
    func allPending() throws(StoreError) -> [PendingStep]

    // MARK: Facts about the agent

    /// Sets (or with nil removes) one fact about this state file's agent, e.g. `agent.lastSync`.
    func setMeta(_ key: String, _ value: String?) throws(StoreError)

    /// Sets (nil: removes) several facts in one write, e.g. a pass's time stamps; values equal to the
    /// stored ones write nothing.
    func setMeta(_ values: [(key: MetaKey, value: String?)]) throws(StoreError)

    /// One stored fact, or nil.
    func meta(_ key: String) throws(StoreError) -> String?
}
