import ChainbotCore

extension SQLiteStateStore {
    public func recordApplied(_ resource: AppliedResource) throws(StoreError) {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try Self.recordApplied(resource, connection)
        }
    }

    /// `recordApplied(_:)` inside a transaction the caller holds.
    static func recordApplied(_ resource: AppliedResource, _ connection: borrowing SQLiteConnection)
        throws(StoreError)
    {
        try connection.execute(
            """
            INSERT INTO resources
                (kind, name, spec_json, spec_hash, generation, applied_at, created_by_chainbot)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, name) DO UPDATE SET
                spec_json = excluded.spec_json, spec_hash = excluded.spec_hash,
                generation = excluded.generation, applied_at = excluded.applied_at,
                created_by_chainbot = excluded.created_by_chainbot
            """,
            resource.kind, resource.name, resource.specJSON, resource.specHash, resource.generation,
            resource.appliedAt, resource.createdByChainbot)
    }

    public func applied(kind: String, name: String) throws(StoreError) -> AppliedResource? {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst(
                "SELECT \(AppliedResource.columns) FROM resources WHERE kind = ? AND name = ?", kind, name,
                decode: AppliedResource.init(row:))
        }
    }

    public func allApplied() throws(StoreError) -> [AppliedResource] {
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.query(
                "SELECT \(AppliedResource.columns) FROM resources ORDER BY kind, name",
                decode: AppliedResource.init(row:))
        }
    }

    @discardableResult
    public func deleteApplied(kind: String, name: String) throws(StoreError) -> Bool {
        try database.transaction { (connection: borrowing SQLiteConnection) throws(StoreError) -> Bool in
            try connection.execute("DELETE FROM resources WHERE kind = ? AND name = ?", kind, name)
            return connection.changes > 0
        }
    }
}

extension AppliedResource {
    /// The columns `init(row:)` reads, in order.
    fileprivate static let columns =
        "kind, name, spec_json, spec_hash, generation, applied_at, created_by_chainbot"

    fileprivate init(row: SQLiteRow) throws(StoreError) {
        self.init(
            kind: try row.text(at: 0), name: try row.text(at: 1), specJSON: try row.text(at: 2),
            specHash: try row.text(at: 3), generation: try row.text(at: 4), appliedAt: try row.timestamp(at: 5),
            createdByChainbot: try row.bool(at: 6))
    }
}
