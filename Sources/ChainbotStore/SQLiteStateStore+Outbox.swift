import ChainbotCore

extension SQLiteStateStore {
    public func pendingOutboxEntries(limit: Int) throws(StoreError) -> [OutboxEntry] {
        let due = now()
        return try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                """
                SELECT \(OutboxEntry.columns) FROM outbox
                WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?
                """, due, max(0, limit), decode: OutboxEntry.init(row:))
        }
    }

    public func deliverableOutboxEntries(limit: Int) throws(StoreError) -> [OutboxEntry] {
        let due = now()
        return try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                """
                SELECT \(OutboxEntry.columns) FROM outbox AS entry
                WHERE delivered_at IS NULL AND next_attempt_at <= ?
                  AND NOT EXISTS (
                    SELECT 1 FROM outbox AS earlier
                    WHERE earlier.delivered_at IS NULL AND earlier.resource_kind = entry.resource_kind
                      AND earlier.resource_name = entry.resource_name AND earlier.id < entry.id)
                ORDER BY id LIMIT ?
                """, due, max(0, limit), decode: OutboxEntry.init(row:))
        }
    }

    public func markDelivered(_ entryID: Int64) throws(StoreError) {
        let deliveredAt = now()
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            // Delivering twice is harmless (the receiver deduplicates), so a second mark is a no-op.
            guard try fetchEntry(entryID, connection).deliveredAt == nil else { return }
            try connection.execute("UPDATE outbox SET delivered_at = ? WHERE id = ?", deliveredAt, entryID)
        }
    }

    @discardableResult
    public func markFailed(_ entryID: Int64, error: String, retryAfter: Duration) throws(StoreError) -> OutboxEntry {
        let failedAt = now()
        return try database.transaction {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> OutboxEntry in
            var entry = try fetchEntry(entryID, connection)
            guard entry.deliveredAt == nil else {
                throw StoreError(
                    code: .constraint, message: "outbox entry \(entryID) has already been delivered",
                    path: database.path)
            }
            entry.attempts += 1
            entry.lastError = error
            entry.nextAttemptAt = failedAt.advanced(by: max(.zero, retryAfter))
            try connection.execute(
                "UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                entry.attempts, entry.lastError, entry.nextAttemptAt, entryID)
            return entry
        }
    }

    /// The oldest entry not delivered yet, due or waiting for its retry (the one delivery tries first,
    /// so its attempts and last error say how delivery goes); nil when everything was delivered.
    public func oldestUndeliveredOutboxEntry() throws(StoreError) -> OutboxEntry? {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(OutboxEntry.columns) FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 1",
                decode: OutboxEntry.init(row:)
            ).first
        }
    }

    public func pendingOutboxCount() throws(StoreError) -> Int {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try connection.queryFirst("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") {
                row throws(StoreError) in try row.int(at: 0)
            } ?? 0
        }
    }

    /// Up to `limit` entries after entry `id` in enqueue order, delivered by the webhook or not: what a
    /// channel with a cursor of its own (the event bus) has still to send.
    public func outboxEntries(after id: Int64, limit: Int) throws(StoreError) -> [OutboxEntry] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(OutboxEntry.columns) FROM outbox WHERE id > ? ORDER BY id LIMIT ?", id, max(0, limit),
                decode: OutboxEntry.init(row:))
        }
    }

    /// The newest outbox entry's number; 0 when the outbox was never used.
    public func latestOutboxEntryID() throws(StoreError) -> Int64 {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int64 in
            try connection.queryFirst("SELECT coalesce(max(id), 0) FROM outbox") { row throws(StoreError) in
                try row.int64(at: 0)
            } ?? 0
        }
    }

    /// Records in one transaction that `channel` delivered the entries after `start` through `id` (its
    /// cursor, in `store_meta` as `delivery.CHANNEL.through`); with `marksEntries` (the channel is the only
    /// one) those entries' own `delivered_at` too. A cursor never moves back.
    public func recordChannelDelivery(_ channel: String, after start: Int64, through id: Int64, marksEntries: Bool)
        throws(StoreError)
    {
        let deliveredAt = now()
        let key = Self.channelCursorKey(channel)
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO store_meta (key, value) VALUES (?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)
                """, key, String(id))
            if marksEntries {
                try connection.execute(
                    "UPDATE outbox SET delivered_at = ? WHERE id > ? AND id <= ? AND delivered_at IS NULL", deliveredAt,
                    start, id)
            }
        }
    }

    /// The entry through which `channel` has delivered everything; nil before it delivered anything.
    public func channelCursor(_ channel: String) throws(StoreError) -> Int64? {
        try meta(Self.channelCursorKey(channel)).flatMap { Int64($0) }
    }

    /// `delivery.eventBus.through`: the meta key of a channel's cursor.
    public static func channelCursorKey(_ channel: String) -> String { "delivery.\(channel).through" }

    private func fetchEntry(_ entryID: Int64, _ connection: borrowing SQLiteConnection) throws(StoreError)
        -> OutboxEntry
    {
        let entry = try connection.queryFirst(
            "SELECT \(OutboxEntry.columns) FROM outbox WHERE id = ?", entryID, decode: OutboxEntry.init(row:))
        guard let entry else {
            throw StoreError(code: .notFound, message: "outbox entry \(entryID) does not exist", path: database.path)
        }
        return entry
    }
}

extension OutboxEntry {
    /// The columns `init(row:)` reads, in order.
    fileprivate static let columns = """
        id, event_id, idempotency_key, resource_kind, resource_name, payload_json, attempts, next_attempt_at, \
        last_error, created_at, delivered_at
        """

    fileprivate init(row: SQLiteRow) throws(StoreError) {
        self.init(
            id: try row.int64(at: 0), eventID: try row.int64(at: 1), idempotencyKey: try row.text(at: 2),
            kind: try row.text(at: 3), name: try row.text(at: 4), payloadJSON: try row.text(at: 5),
            attempts: try row.int(at: 6), nextAttemptAt: try row.timestamp(at: 7),
            lastError: try row.optionalText(at: 8),
            createdAt: try row.timestamp(at: 9), deliveredAt: try row.optionalTimestamp(at: 10))
    }
}
