import ChainbotCore
internal import Glibc

extension SQLiteStateStore {
    public func beginRevision(generation: String, gitCommit: String?) throws(StoreError) -> Revision {
        let startedAt = now()
        return try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Revision in
            try connection.execute(
                "INSERT INTO revisions (generation, git_commit, started_at) VALUES (?, ?, ?)",
                generation, gitCommit, startedAt)
            return Revision(
                id: connection.lastInsertRowID, generation: generation, gitCommit: gitCommit, startedAt: startedAt)
        }
    }

    @discardableResult
    public func addStep(_ step: RevisionStep, toRevision revisionID: Int64) throws(StoreError) -> Int {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try requireUnfinished(revisionID, connection)
            let sequence =
                try connection.queryFirst(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM revision_steps WHERE revision_id = ?", revisionID
                ) { row throws(StoreError) in try row.int(at: 0) } ?? 1
            try connection.execute(
                """
                INSERT INTO revision_steps
                    (revision_id, seq, kind, name, action, outcome, error, started_at, finished_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                revisionID, sequence, step.kind, step.name, step.action, step.outcome.rawValue, step.error,
                step.startedAt, step.finishedAt)
            return sequence
        }
    }

    @discardableResult
    public func finishRevision(_ revisionID: Int64, outcome: Revision.Outcome, summaryJSON: String?)
        throws(StoreError) -> Revision
    {
        let finishedAt = now()
        return try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Revision in
            try requireUnfinished(revisionID, connection)
            try connection.execute(
                "UPDATE revisions SET finished_at = ?, outcome = ?, summary_json = ? WHERE id = ?",
                finishedAt, outcome.rawValue, summaryJSON, revisionID)
            guard let revision = try fetchRevision(revisionID, connection) else {
                throw missingRevision(revisionID)
            }
            return revision
        }
    }

    public func beginRun(_ intent: RunIntent) throws(StoreError) -> Revision {
        let startedAt = now()
        return try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Revision in
            try connection.execute(
                "INSERT INTO revisions (generation, git_commit, started_at, plan_digest, writer_pid) VALUES (?, ?, ?, ?, ?)",
                intent.generation, intent.gitCommit, startedAt, intent.planDigest, Int64(getpid()))
            let revisionID = connection.lastInsertRowID
            for (index, step) in intent.steps.enumerated() {
                try connection.execute(
                    """
                    INSERT INTO revision_steps
                        (revision_id, seq, kind, name, action, outcome, error, started_at, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    revisionID, index + 1, step.kind, step.name, step.action, RevisionStep.Outcome.pending.rawValue,
                    nil as String?, startedAt, startedAt)
            }
            for resource in intent.created {
                try Self.recordApplied(resource, connection)
            }
            try Self.recordPending(intent.owed, connection)
            return Revision(
                id: revisionID, generation: intent.generation, gitCommit: intent.gitCommit, startedAt: startedAt,
                planDigest: intent.planDigest, writerPID: getpid())
        }
    }

    public func recordStepOutcomes(_ steps: [(seq: Int, step: RevisionStep)], revision revisionID: Int64)
        throws(StoreError)
    {
        if steps.isEmpty { return }
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try requireUnfinished(revisionID, connection)
            for (seq, step) in steps {
                try connection.execute(
                    """
                    UPDATE revision_steps SET outcome = ?, error = ?, started_at = ?, finished_at = ?
                    WHERE revision_id = ? AND seq = ?
                    """,
                    step.outcome.rawValue, step.error, step.startedAt, step.finishedAt, revisionID, seq)
                guard connection.changes == 1 else {
                    throw StoreError(
                        code: .notFound, message: "revision \(revisionID) has no planned step \(seq)",
                        path: database.path)
                }
            }
        }
    }

    @discardableResult
    public func finishRun(_ revisionID: Int64, _ record: RunRecord) throws(StoreError) -> Revision {
        let finishedAt = now()
        return try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Revision in
            try requireUnfinished(revisionID, connection)
            for resource in record.applied {
                try Self.recordApplied(resource, connection)
            }
            for id in record.forgotten {
                try connection.execute(
                    "DELETE FROM resources WHERE kind = ? AND name = ?", id.kind.rawValue, id.name)
            }
            try Self.settlePending(done: record.pendingDone, failed: record.pendingFailed, connection)
            for event in record.events {
                try recordEvent(event, outboxPayload: record.outboxPayload, at: finishedAt, connection)
            }
            try connection.execute(
                "UPDATE revisions SET finished_at = ?, outcome = ?, summary_json = ? WHERE id = ?",
                finishedAt, record.outcome.rawValue, record.summaryJSON, revisionID)
            guard let revision = try fetchRevision(revisionID, connection) else {
                throw missingRevision(revisionID)
            }
            return revision
        }
    }

    public func interruptUnfinishedRevisions() throws(StoreError) -> [InterruptedRevision] {
        let finishedAt = now()
        return try database.transaction {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> [InterruptedRevision] in
            let unfinished = try connection.query(
                "SELECT \(Revision.columns) FROM revisions WHERE finished_at IS NULL ORDER BY id",
                decode: Revision.init(row:))
            var found: [InterruptedRevision] = []
            for var revision in unfinished {
                let steps = try connection.query(
                    """
                    SELECT seq, kind, name, action, outcome, error, started_at, finished_at
                    FROM revision_steps WHERE revision_id = ? ORDER BY seq
                    """, revision.id
                ) { (row) throws(StoreError) in (try row.int(at: 0), try RevisionStep(row: row, from: 1)) }
                try connection.execute(
                    "UPDATE revisions SET finished_at = ?, outcome = ? WHERE id = ?", finishedAt,
                    Revision.Outcome.interrupted.rawValue, revision.id)
                revision.finishedAt = finishedAt
                revision.outcome = .interrupted
                let completed = steps.last { $0.1.outcome != .pending }
                let unrecorded = steps.first { $0.1.outcome == .pending }
                found.append(
                    InterruptedRevision(
                        revision: revision, lastCompletedSeq: completed?.0, lastCompletedStep: completed?.1,
                        firstUnrecordedSeq: unrecorded?.0, firstUnrecordedStep: unrecorded?.1,
                        plannedSteps: steps.count))
            }
            return found
        }
    }

    public func revisions(limit: Int) throws(StoreError) -> [Revision] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(Revision.columns) FROM revisions ORDER BY id DESC LIMIT ?", max(0, limit),
                decode: Revision.init(row:))
        }
    }

    public func revision(_ revisionID: Int64) throws(StoreError) -> RevisionDetail? {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> RevisionDetail? in
            guard let revision = try fetchRevision(revisionID, connection) else { return nil }
            let steps = try connection.query(
                """
                SELECT kind, name, action, outcome, error, started_at, finished_at
                FROM revision_steps WHERE revision_id = ? ORDER BY seq
                """, revisionID
            ) { (row) throws(StoreError) in try RevisionStep(row: row) }
            return RevisionDetail(revision: revision, steps: steps)
        }
    }

    private func fetchRevision(_ revisionID: Int64, _ connection: borrowing SQLiteConnection) throws(StoreError)
        -> Revision?
    {
        try connection.queryFirst(
            "SELECT \(Revision.columns) FROM revisions WHERE id = ?", revisionID, decode: Revision.init(row:))
    }

    /// Throws unless revision `revisionID` exists and has not finished.
    private func requireUnfinished(_ revisionID: Int64, _ connection: borrowing SQLiteConnection)
        throws(StoreError)
    {
        let finished = try connection.queryFirst(
            "SELECT finished_at IS NOT NULL FROM revisions WHERE id = ?", revisionID
        ) { row throws(StoreError) in try row.bool(at: 0) }
        guard let finished else { throw missingRevision(revisionID) }
        guard !finished else {
            throw StoreError(
                code: .constraint, message: "revision \(revisionID) has already finished", path: database.path)
        }
    }

    private func missingRevision(_ revisionID: Int64) -> StoreError {
        StoreError(code: .notFound, message: "revision \(revisionID) does not exist", path: database.path)
    }
}

extension Revision {
    /// The columns `init(row:)` reads, in order.
    fileprivate static let columns =
        "id, generation, git_commit, started_at, finished_at, outcome, summary_json, plan_digest, writer_pid"

    fileprivate init(row: SQLiteRow) throws(StoreError) {
        self.init(
            id: try row.int64(at: 0), generation: try row.text(at: 1), gitCommit: try row.optionalText(at: 2),
            startedAt: try row.timestamp(at: 3), finishedAt: try row.optionalTimestamp(at: 4),
            outcome: row.isNull(at: 5) ? nil : try row.enumeration(Outcome.self, at: 5),
            summaryJSON: try row.optionalText(at: 6), planDigest: try row.optionalText(at: 7),
            writerPID: row.isNull(at: 8) ? nil : Int32(exactly: try row.int64(at: 8)))
    }
}

extension RevisionStep {
    /// Reads kind, name, action, outcome, error, started_at and finished_at from column `first` on.
    fileprivate init(row: SQLiteRow, from first: Int32 = 0) throws(StoreError) {
        self.init(
            kind: try row.text(at: first), name: try row.text(at: first + 1), action: try row.text(at: first + 2),
            outcome: try row.enumeration(Outcome.self, at: first + 3), error: try row.optionalText(at: first + 4),
            startedAt: try row.timestamp(at: first + 5), finishedAt: try row.timestamp(at: first + 6))
    }
}
