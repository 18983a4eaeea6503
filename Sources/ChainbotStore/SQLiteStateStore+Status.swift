import ChainbotCore

extension SQLiteStateStore {
    /// Stores `status` when it differs from the stored one in anything but `updatedAt`, which so says when
    /// the status last changed. A status that did not change writes nothing: the read happens outside a
    /// write transaction, so a pass that changes nothing adds no frame to the write-ahead log (issue 15).
    public func recordStatus(_ status: ResourceStatus) throws(StoreError) {
        let conditions = SpecCoding.conditionTexts.encode(status.conditions)
        let stored = try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst(
                """
                SELECT sync, health, conditions_json, observed_generation FROM resource_status
                WHERE kind = ? AND name = ?
                """, status.kind, status.name
            ) { (row) throws(StoreError) in
                StoredStatusColumns(
                    sync: try row.text(at: 0), health: try row.text(at: 1), conditions: try row.text(at: 2),
                    generation: try row.optionalText(at: 3))
            }
        }
        let wanted = StoredStatusColumns(
            sync: status.sync.rawValue, health: status.health.rawValue, conditions: conditions,
            generation: status.observedGeneration)
        guard stored != wanted else { return }
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            // Under the write lock the row may have become what is wanted meanwhile: then nothing changes.
            try connection.execute(
                """
                INSERT INTO resource_status (kind, name, sync, health, conditions_json, observed_generation, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, name) DO UPDATE SET
                    sync = excluded.sync, health = excluded.health, conditions_json = excluded.conditions_json,
                    observed_generation = excluded.observed_generation, updated_at = excluded.updated_at
                WHERE sync IS NOT excluded.sync OR health IS NOT excluded.health
                    OR conditions_json IS NOT excluded.conditions_json
                    OR observed_generation IS NOT excluded.observed_generation
                """,
                status.kind, status.name, status.sync.rawValue, status.health.rawValue, conditions,
                status.observedGeneration, status.updatedAt)
        }
    }

    public func allStatus() throws(StoreError) -> [ResourceStatus] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                """
                SELECT kind, name, sync, health, conditions_json, observed_generation, updated_at
                FROM resource_status ORDER BY kind, name
                """,
                decode: ResourceStatus.init(row:))
        }
    }

    public func deleteStatus(kind: String, name: String) throws(StoreError) {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("DELETE FROM resource_status WHERE kind = ? AND name = ?", kind, name)
        }
    }

    public func suspend(_ suspension: Suspension) throws(StoreError) {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO suspensions (kind, name, until, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, name) DO UPDATE SET until = excluded.until, reason = excluded.reason
                """,
                suspension.kind, suspension.name, suspension.until, suspension.reason)
        }
    }

    @discardableResult
    public func resume(kind: String, name: String) throws(StoreError) -> Bool {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Bool in
            try connection.execute("DELETE FROM suspensions WHERE kind = ? AND name = ?", kind, name)
            return connection.changes > 0
        }
    }

    public func suspensions(at now: Timestamp) throws(StoreError) -> [Suspension] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT kind, name, until, reason FROM suspensions WHERE until > ? ORDER BY kind, name", now
            ) { (row) throws(StoreError) in
                Suspension(
                    kind: try row.text(at: 0), name: try row.text(at: 1), until: try row.timestamp(at: 2),
                    reason: try row.text(at: 3))
            }
        }
    }
}

extension SQLiteStateStore {
    /// Sets (nil: removes) one key; a value equal to the stored one changes nothing and writes nothing.
    public func setMeta(_ key: String, _ value: String?) throws(StoreError) {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try setMeta(key, value, connection)
        }
    }

    private func setMeta(_ key: String, _ value: String?, _ connection: borrowing SQLiteConnection)
        throws(StoreError)
    {
        if let value {
            try connection.execute(
                """
                INSERT INTO store_meta (key, value) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value
                """,
                key, value)
        } else {
            try connection.execute("DELETE FROM store_meta WHERE key = ?", key)
        }
    }

    public func setMeta(_ values: [(key: MetaKey, value: String?)]) throws(StoreError) {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            for (key, value) in values {
                try setMeta(key.rawValue, value, connection)
            }
        }
    }

    public func meta(_ key: String) throws(StoreError) -> String? {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT value FROM store_meta WHERE key = ?", key) { (row) throws(StoreError) in
                try row.text(at: 0)
            }
        }
    }
}

extension ResourceStatus {
    fileprivate init(row: SQLiteRow) throws(StoreError) {
        let sync = ResourceStatus.Sync(rawValue: try row.text(at: 2)) ?? .unknown
        let health = Health(rawValue: try row.text(at: 3)) ?? .unknown
        let conditions = SpecCoding.storedConditions.decode(try row.text(at: 4)) ?? []
        self.init(
            kind: try row.text(at: 0), name: try row.text(at: 1), sync: sync, health: health, conditions: conditions,
            observedGeneration: try row.optionalText(at: 5), updatedAt: try row.timestamp(at: 6))
    }
}

/// The stored columns of a status that say whether it changed (all but `updated_at`).
private struct StoredStatusColumns: Equatable {
    var sync: String
    var health: String
    var conditions: String
    var generation: String?
}
