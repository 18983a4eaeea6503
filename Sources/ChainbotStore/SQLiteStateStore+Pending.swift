import ChainbotCore

extension SQLiteStateStore {
    public func recordPending(_ steps: [PendingStep]) throws(StoreError) {
        if steps.isEmpty { return }
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try Self.recordPending(steps, connection)
        }
    }

    /// `recordPending(_:)` inside a transaction the caller holds.
    static func recordPending(_ steps: [PendingStep], _ connection: borrowing SQLiteConnection) throws(StoreError) {
        for step in steps {
            try connection.execute(
                """
                INSERT INTO pending_steps (kind, name, action, action_json, since, last_error)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, name, action) DO NOTHING
                """,
                step.resource.kind.rawValue, step.resource.name, step.action.description,
                SpecCoding.encode(step.action), step.since, step.lastError)
        }
    }

    public func settlePending(done: [PendingStep], failed: [(PendingStep, String)]) throws(StoreError) {
        if done.isEmpty && failed.isEmpty { return }
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try Self.settlePending(done: done, failed: failed, connection)
        }
    }

    /// `settlePending(done:failed:)` inside a transaction the caller holds.
    static func settlePending(
        done: [PendingStep], failed: [(PendingStep, String)], _ connection: borrowing SQLiteConnection
    ) throws(StoreError) {
        for step in done {
            try connection.execute(
                "DELETE FROM pending_steps WHERE kind = ? AND name = ? AND action = ?",
                step.resource.kind.rawValue, step.resource.name, step.action.description)
        }
        for (step, error) in failed {
            try connection.execute(
                "UPDATE pending_steps SET last_error = ? WHERE kind = ? AND name = ? AND action = ?", error,
                step.resource.kind.rawValue, step.resource.name, step.action.description)
        }
    }

    public func allPending() throws(StoreError) -> [PendingStep] {
        let rows = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT kind, name, action_json, since, last_error FROM pending_steps ORDER BY kind, name, action"
            ) { (row) throws(StoreError) in
                (
                    try row.text(at: 0), try row.text(at: 1), try row.text(at: 2), try row.timestamp(at: 3),
                    try row.optionalText(at: 4)
                )
            }
        }
        // A row this build cannot read (a kind or action of a newer chainbot) is left for that chainbot.
        return rows.compactMap { kind, name, json, since, lastError in
            guard let kind = Kind(rawValue: kind), let action = SpecCoding.decode(PendingAction.self, from: json) else {
                return nil
            }
            return PendingStep(resource: ResourceID(kind, name), action: action, since: since, lastError: lastError)
        }
    }
}
