extension SQLiteStateStore {
    /// What a person reading this store should be told about what it shows, one sentence each: a
    /// read-only open that could not read the write-ahead log a writer left (see
    /// `SQLiteDatabase.ignoredWriteAheadLog`). Empty for a store opened to write.
    public var readWarnings: [String] {
        guard let log = database.ignoredWriteAheadLog else { return [] }
        return [
            "state file \(database.path) has a write-ahead log (\(log)) from a writer that did not finish; "
                + "its last commits are not shown until chainbot runs where the file is writable"
        ]
    }
}
