import ChainbotCore

extension SQLiteStateStore {
    /// How many outbox entries come after entry `id`, delivered by the webhook or not: what a channel with a
    /// cursor of its own (the event bus) has still to send, counted without reading them (for `/metrics`).
    public func outboxCount(after id: Int64) throws(StoreError) -> Int {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try connection.queryFirst("SELECT COUNT(*) FROM outbox WHERE id > ?", id) { row throws(StoreError) in
                try row.int(at: 0)
            } ?? 0
        }
    }
}
