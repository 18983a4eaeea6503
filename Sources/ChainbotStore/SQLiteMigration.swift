import ChainbotCore

/// One step of a database's schema history: the SQL that takes it from `version - 1` to `version`.
public struct SQLiteMigration: Sendable, Hashable {
    /// The schema version after this migration; the first migration is version 1.
    public var version: Int
    /// What the migration does, for people.
    public var summary: String
    /// The statements to run, separated by `;`.
    public var sql: String

    public init(version: Int, summary: String, sql: String) {
        self.version = version
        self.summary = summary
        self.sql = sql
    }
}

extension SQLiteDatabase {
    /// Applies the migrations the database has not had yet, all in one transaction, recording the version
    /// in `PRAGMA user_version`; returns the version the database had before.
    ///
    /// One transaction, so a process killed while creating or upgrading a state file leaves it as it was
    /// (absent, empty or at the old version), never half-way. `migrations` must be numbered 1, 2, 3, … in
    /// order. A database whose version is higher than the last migration was written by a newer program
    /// and is refused with `schemaTooNew`. The transaction reads the version again under the write lock, so
    /// two processes migrating at once do not both apply a migration.
    @discardableResult
    public func migrate(_ migrations: [SQLiteMigration]) throws(StoreError) -> Int {
        for (offset, migration) in migrations.enumerated() {
            precondition(migration.version == offset + 1, "migrations must be numbered 1, 2, 3, … in order")
        }
        let latest = migrations.count
        let initial = try withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try connection.userVersion()
        }
        try refuseNewer(initial, latest: latest)
        guard initial < latest else { return initial }
        try transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            let current = try connection.userVersion()
            try refuseNewer(current, latest: latest)
            for migration in migrations where migration.version > current {
                try connection.executeScript(migration.sql)
            }
            // PRAGMA takes no placeholders; the version is the program's own integer.
            if current < latest { try connection.execute("PRAGMA user_version = \(latest)") }
        }
        return initial
    }

    private func refuseNewer(_ version: Int, latest: Int) throws(StoreError) {
        guard version > latest else { return }
        throw StoreError(
            code: .schemaTooNew,
            message: "has schema version \(version); this chainbot knows up to \(latest): upgrade chainbot",
            path: path)
    }
}
