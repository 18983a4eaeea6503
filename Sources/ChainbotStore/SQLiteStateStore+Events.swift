import ChainbotCore
internal import Glibc

extension SQLiteStateStore {
    @discardableResult
    public func recordEvent(_ event: Event, outboxPayload: ((StoredEvent, _ idempotencyKey: String) -> String)?)
        throws(StoreError) -> RecordedEvent
    {
        let seen = now()
        return try database.transaction {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> RecordedEvent in
            try recordEvent(event, outboxPayload: outboxPayload, at: seen, connection)
        }
    }

    /// `recordEvent(_:outboxPayload:)` inside a transaction the caller holds (a run's last one).
    @discardableResult
    func recordEvent(
        _ event: Event, outboxPayload: ((StoredEvent, _ idempotencyKey: String) -> String)?, at seen: Timestamp,
        _ connection: borrowing SQLiteConnection
    ) throws(StoreError) -> RecordedEvent {
        let existing = try connection.queryFirst(
            """
            SELECT \(StoredEvent.columns) FROM events
            WHERE type = ? AND reason = ? AND regarding_kind = ? AND regarding_name = ? AND message = ?
            """,
            event.type.rawValue, event.reason.rawValue, event.regardingKind, event.regardingName, event.message,
            decode: StoredEvent.init(row:))
        let stored: StoredEvent
        if var counted = existing {
            counted.count += 1
            // A wall clock can step back; last seen never does.
            counted.lastSeen = max(counted.lastSeen, seen)
            counted.event.generation = event.generation ?? counted.event.generation
            counted.event.severity = event.severity
            try connection.execute(
                "UPDATE events SET count = ?, last_seen = ?, generation = ? WHERE id = ?",
                counted.count, counted.lastSeen, counted.event.generation, counted.id)
            stored = counted
        } else {
            try connection.execute(
                """
                INSERT INTO events
                    (type, reason, regarding_kind, regarding_name, message, count, first_seen, last_seen,
                     generation)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
                """,
                event.type.rawValue, event.reason.rawValue, event.regardingKind, event.regardingName, event.message,
                seen, seen, event.generation)
            stored = StoredEvent(
                id: connection.lastInsertRowID, event: event, count: 1, firstSeen: seen, lastSeen: seen)
        }
        let entry = try outboxPayload.map { (render) throws(StoreError) -> OutboxEntry in
            let key = "\(instanceID)-\(stored.id)-\(stored.count)"
            let entry = try enqueue(
                stored, idempotencyKey: key, payloadJSON: render(stored, key), at: seen, connection)
            try foldOldest(render: render, at: seen, connection)
            return entry
        }
        return RecordedEvent(stored: stored, isNew: existing == nil, outboxEntry: entry)
    }

    public func events(since: Timestamp) throws(StoreError) -> [StoredEvent] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(StoredEvent.columns) FROM events WHERE last_seen >= ? ORDER BY last_seen, id", since,
                decode: StoredEvent.init(row:))
        }
    }

    /// Keeps the outbox within `outboxLimit`: when it grows past it (ALEX OS down for long), the oldest
    /// undelivered entries are removed and one `OutboxOverflow` event says how many, from when to when, and
    /// of which reasons — so nothing disappears without a trace, and the store stays bounded.
    private func foldOldest(
        render: (StoredEvent, String) -> String, at time: Timestamp, _ connection: borrowing SQLiteConnection
    ) throws(StoreError) {
        let pending =
            try connection.queryFirst("SELECT count(*) FROM outbox WHERE delivered_at IS NULL") {
                (row) throws(StoreError) in try row.int(at: 0)
            } ?? 0
        guard pending > outboxLimit else { return }
        // Fold a tenth at a time, so a long outage does not fold on every new event.
        let fold = pending - outboxLimit + outboxLimit / 10
        let summary = try connection.queryFirst(
            """
            SELECT count(*), min(o.created_at), max(o.created_at), group_concat(DISTINCT e.reason)
            FROM (SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?) o JOIN events e ON e.id = o.event_id
            """, fold
        ) { (row) throws(StoreError) in
            (try row.int(at: 0), try row.timestamp(at: 1), try row.timestamp(at: 2), try row.optionalText(at: 3) ?? "")
        }
        guard let summary, summary.0 > 0 else { return }
        try connection.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT ?)",
            fold)
        let event = Event(
            // About chainbot on this host, as its health report is (`Chainbot/HOSTNAME`), not a resource.
            type: .warning, reason: .outboxOverflow, regardingKind: "Chainbot", regardingName: hostName,
            message:
                "\(summary.0) undelivered events from \(summary.1.iso8601) to \(summary.2.iso8601) "
                + "(\(summary.3)) were folded into this one: ALEX OS was unreachable and the outbox holds at most "
                + "\(outboxLimit); they remain in chainbot's own event list")
        try connection.execute(
            """
            INSERT INTO events
                (type, reason, regarding_kind, regarding_name, message, count, first_seen, last_seen, generation)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?, NULL)
            ON CONFLICT (type, reason, regarding_kind, regarding_name, message)
            DO UPDATE SET count = count + 1, last_seen = excluded.last_seen
            """,
            event.type.rawValue, event.reason.rawValue, event.regardingKind, event.regardingName, event.message, time,
            time)
        let stored = try connection.queryFirst(
            """
            SELECT \(StoredEvent.columns) FROM events
            WHERE type = ? AND reason = ? AND regarding_kind = ? AND regarding_name = ? AND message = ?
            """,
            event.type.rawValue, event.reason.rawValue, event.regardingKind, event.regardingName, event.message,
            decode: StoredEvent.init(row:))
        guard let stored else { return }
        let key = "\(instanceID)-\(stored.id)-\(stored.count)"
        _ = try enqueue(stored, idempotencyKey: key, payloadJSON: render(stored, key), at: time, connection)
    }

    /// Inserts the outbox entry for one occurrence of `event`, due at once.
    private func enqueue(
        _ event: StoredEvent, idempotencyKey: String, payloadJSON: String, at time: Timestamp,
        _ connection: borrowing SQLiteConnection
    ) throws(StoreError) -> OutboxEntry {
        try connection.execute(
            """
            INSERT INTO outbox
                (event_id, idempotency_key, resource_kind, resource_name, payload_json, attempts, next_attempt_at,
                 created_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?)
            """,
            event.id, idempotencyKey, event.event.regardingKind, event.event.regardingName, payloadJSON, time, time)
        return OutboxEntry(
            id: connection.lastInsertRowID, eventID: event.id, idempotencyKey: idempotencyKey,
            kind: event.event.regardingKind, name: event.event.regardingName, payloadJSON: payloadJSON, attempts: 0,
            nextAttemptAt: time, lastError: nil, createdAt: time, deliveredAt: nil)
    }
}

extension StoredEvent {
    /// The columns `init(row:)` reads, in order.
    static let columns =
        "id, type, reason, regarding_kind, regarding_name, message, count, first_seen, last_seen, generation"

    init(row: SQLiteRow) throws(StoreError) {
        let event = Event(
            type: try row.enumeration(Event.EventType.self, at: 1), reason: Event.Reason(try row.text(at: 2)),
            regardingKind: try row.text(at: 3), regardingName: try row.text(at: 4), message: try row.text(at: 5),
            generation: try row.optionalText(at: 9))
        self.init(
            id: try row.int64(at: 0), event: event, count: try row.int(at: 6), firstSeen: try row.timestamp(at: 7),
            lastSeen: try row.timestamp(at: 8))
    }
}
