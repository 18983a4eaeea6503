import ChainbotCore
internal import Glibc

/// The state store on a SQLite database: chainbot's state file.
///
/// Opening checks the file is chainbot's before anything writes to it (another application's database is
/// refused untouched), then migrates the schema to the version this chainbot knows; `openReadOnly` never
/// writes at all. Every time the store stamps
/// (revision start and finish, event sightings, outbox bookkeeping) comes from the injected `now`, so
/// tests decide what time it is.
public struct SQLiteStateStore: StateStore {
    /// The schema version this chainbot writes.
    public static var schemaVersion: Int { StateSchema.migrations.count }

    public let database: SQLiteDatabase
    let now: @Sendable () -> Timestamp
    /// A random identifier of this state file, the first part of every outbox idempotency key.
    let instanceID: String
    /// Undelivered outbox entries kept at most; beyond it the oldest are folded into one summary entry.
    public var outboxLimit = 10_000
    /// This host's name in a fleet (`--host`, else the kernel's): what chainbot's own events about itself
    /// regard (`Chainbot/NAME`), as the health report does.
    public var hostName = KernelHostName.read()

    /// Uses `database`: refuses it when it is not chainbot's, else migrates it and marks it as chainbot's
    /// (`PRAGMA application_id`); a read-only database is only read.
    public init(database: SQLiteDatabase, now: @escaping @Sendable () -> Timestamp = { Timestamp.now() })
        throws(StoreError)
    {
        let latest = Self.schemaVersion
        try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try StateFileIdentity.check(connection, latest: latest)
        }
        if !database.isReadOnly {
            try database.migrate(StateSchema.migrations)
            try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
                try StateFileIdentity.stamp(connection)
            }
        }
        let instanceID = try database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> String? in
            try connection.queryFirst("SELECT value FROM store_meta WHERE key = 'instance_id'") {
                row throws(StoreError) in try row.text(at: 0)
            }
        }
        guard let instanceID else {
            throw StoreError(
                code: .invalidData, message: "store_meta has no instance_id", path: database.path)
        }
        self.database = database
        self.now = now
        self.instanceID = instanceID
    }

    /// Opens the state file at `path` to write, creating it and any missing parent directories (mode 0700).
    ///
    /// A file that is not chainbot's, or has a newer schema, is refused before anything writes to it.
    public static func open(
        path: String, configuration: SQLiteDatabase.Configuration = SQLiteDatabase.Configuration(),
        now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
    ) throws(StoreError) -> SQLiteStateStore {
        try createParentDirectories(of: path)
        let latest = schemaVersion
        let database = try SQLiteDatabase(location: .path(path), configuration: configuration) {
            (connection: borrowing SQLiteConnection) throws(StoreError) in
            try StateFileIdentity.check(connection, latest: latest)
        }
        return try SQLiteStateStore(database: database, now: now)
    }

    /// Opens the existing state file at `path` only to read (status, diff, history, events): no migration,
    /// no switch to write-ahead logging, nothing created; works on a read-only filesystem.
    ///
    /// A file of an older schema is read as far as it has what a query needs; past that, queries fail
    /// with `schemaTooOld`, which says to run `chainbot apply` to upgrade it.
    public static func openReadOnly(
        path: String, configuration: SQLiteDatabase.Configuration = SQLiteDatabase.Configuration(),
        now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }
    ) throws(StoreError) -> SQLiteStateStore {
        let latest = schemaVersion
        let database = try SQLiteDatabase(
            location: .path(path), configuration: configuration, mode: .readOnly(expectedVersion: latest)
        ) { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try StateFileIdentity.check(connection, latest: latest)
        }
        return try SQLiteStateStore(database: database, now: now)
    }

    /// The schema version of the existing file at `path`, only reading it: 0 while another process is
    /// still creating it (its one creating transaction not committed yet).
    public static func fileSchemaVersion(path: String) throws(StoreError) -> Int {
        let database = try SQLiteDatabase(location: .path(path), mode: .readOnly(expectedVersion: nil))
        return try database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> Int in
            try connection.userVersion()
        }
    }

    /// Refuses the existing file at `path` when it is not chainbot's or has a newer schema, only reading it.
    ///
    /// A file a killed writer left with a hot journal cannot be read without rolling that back, which only
    /// a writing open does: it passes here, and the writing open that follows (`open`) rolls the journal
    /// back and checks the file the same way before its first write of its own.
    public static func checkIdentity(path: String) throws(StoreError) {
        let latest = schemaVersion
        do throws(StoreError) {
            _ = try SQLiteDatabase(location: .path(path), mode: .readOnly(expectedVersion: nil)) {
                (connection: borrowing SQLiteConnection) throws(StoreError) in
                try StateFileIdentity.check(connection, latest: latest)
            }
        } catch {
            guard error.code == .interruptedWrite else { throw error }
        }
    }

    /// A private store in memory, gone when the last copy of it goes away (tests, `--dry-run`).
    public static func inMemory(now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) throws(StoreError)
        -> SQLiteStateStore
    {
        try SQLiteStateStore(database: SQLiteDatabase(location: .memory), now: now)
    }

    /// Creates each missing directory above `path` with mode 0700; existing ones are left as they are.
    static func createParentDirectories(of path: String) throws(StoreError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var directory = path.hasPrefix("/") ? "" : "."
        for component in components {
            directory += "/" + component
            if isDirectory(directory) { continue }
            if mkdir(directory, 0o700) == 0 { continue }
            let osError = errno
            // Another process may have created it in the meantime.
            if osError == EEXIST, isDirectory(directory) { continue }
            let reason = String(cString: strerror(osError))
            throw StoreError(
                code: .cannotOpen, message: "cannot create directory \(directory): \(reason)", path: path)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
