import ChainbotCore

/// What makes a SQLite file chainbot's state file: its `application_id`, or (for files made before
/// chainbot set one) an id of 0 with only chainbot's tables.
enum StateFileIdentity {
    /// `PRAGMA application_id` of every state file chainbot creates: "CHNB" in ASCII.
    static let applicationID: Int32 = 0x4348_4E42

    /// Every table a state file of any known schema version may hold (a migration adding one adds it here).
    static let tables: Set<String> = [
        "events", "outbox", "pending_steps", "resource_status", "resources", "revision_steps", "revisions",
        "sqlite_sequence", "store_meta", "suspensions",
    ]

    /// Refuses another application's database and a schema newer than `latest`, reading only: it runs
    /// before anything writes, so a refused file is left exactly as it was.
    ///
    /// An empty database (no tables) passes: it becomes a state file when migrated.
    static func check(_ connection: borrowing SQLiteConnection, latest: Int) throws(StoreError) {
        let id = try applicationID(connection)
        let found = try connection.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ) { row throws(StoreError) in try row.text(at: 0) }
        let adoptable = found.isEmpty || (found.contains("store_meta") && Set(found).isSubset(of: tables))
        guard id == Int(applicationID) || (id == 0 && adoptable) else {
            let hex = String(UInt32(truncatingIfNeeded: id), radix: 16, uppercase: true)
            let listed = found.isEmpty ? "none" : found.joined(separator: ", ")
            throw StoreError(
                code: .notChainbot,
                message: "application_id 0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
                    + ", tables: " + listed,
                path: connection.path)
        }
        let version = try connection.userVersion()
        guard version <= latest else {
            throw StoreError(
                code: .schemaTooNew,
                message: "has schema version \(version); this chainbot knows up to \(latest): upgrade chainbot",
                path: connection.path)
        }
    }

    /// The file's `PRAGMA application_id` (0 when never set).
    static func applicationID(_ connection: borrowing SQLiteConnection) throws(StoreError) -> Int {
        try connection.queryFirst("PRAGMA application_id") { row throws(StoreError) in try row.int(at: 0) } ?? 0
    }

    /// Marks the file as chainbot's when it is not yet (new files, and files of earlier chainbots).
    static func stamp(_ connection: borrowing SQLiteConnection) throws(StoreError) {
        guard try applicationID(connection) != Int(applicationID) else { return }
        // PRAGMA takes no placeholders; the id is the program's own constant.
        try connection.execute("PRAGMA application_id = \(applicationID)")
    }
}
