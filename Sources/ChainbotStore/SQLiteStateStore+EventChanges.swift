import ChainbotCore

/// A stored event with its change number: every insert and every repeat of an event takes the next
/// number, in commit order, so "what changed after N" has one exact answer.
public struct EventChange: Sendable, Hashable {
    /// 1-based; a repeat of an event gives it a new, higher number (and it leaves its old one).
    public var sequence: Int64
    public var stored: StoredEvent

    public init(sequence: Int64, stored: StoredEvent) {
        self.sequence = sequence
        self.stored = stored
    }
}

extension SQLiteStateStore {
    /// Events inserted or repeated after change number `sequence`, oldest change first, at most `limit`;
    /// each event once, as it is now (a repeat that happened twice since shows its count once).
    public func eventChanges(after sequence: Int64, limit: Int = 500) throws(StoreError) -> [EventChange] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(StoredEvent.columns), seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?", sequence, limit
            ) { (row) throws(StoreError) in
                EventChange(sequence: try row.int64(at: 10), stored: try StoredEvent(row: row))
            }
        }
    }

    /// The highest change number so far; 0 when no event was ever stored.
    public func latestEventSequence() throws(StoreError) -> Int64 {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst("SELECT coalesce(max(seq), 0) FROM events") {
                (row) throws(StoreError) in try row.int64(at: 0)
            } ?? 0
        }
    }
}
