internal import CSQLite
import ChainbotCore
internal import Glibc
import Synchronization

/// An open SQLite database: one connection, guarded so that one caller at a time uses it.
///
/// Opening configures the connection for chainbot's state file: extended result codes, a busy timeout
/// (a writer waits for another process's lock instead of failing), write-ahead logging for files opened
/// to write, foreign keys on and `synchronous=NORMAL`. Opening also reads the schema, so a file that is
/// not a database fails here, naming its path, rather than at the first query, and runs the caller's
/// check before anything could write to the file.
public final class SQLiteDatabase: Sendable {
    /// Where the database lives.
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        /// A private database that disappears when closed (tests).
        case memory
        /// A file, created when missing; its directory must exist.
        case path(String)

        /// The file name handed to `sqlite3_open_v2`.
        public var filename: String {
            switch self {
            case .memory: ":memory:"
            case .path(let path): path
            }
        }

        public var description: String { filename }
    }

    /// How the connection is set up.
    public struct Configuration: Sendable, Hashable {
        /// How long a statement waits for another connection's lock before failing with `busy`.
        public var busyTimeout: Duration

        public init(busyTimeout: Duration = .milliseconds(5000)) {
            self.busyTimeout = busyTimeout
        }

        /// The busy timeout in whole milliseconds, clamped to what `sqlite3_busy_timeout` accepts.
        var busyTimeoutMilliseconds: Int32 {
            let (seconds, attoseconds) = busyTimeout.components
            let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
            guard !milliseconds.overflow else { return seconds < 0 ? 0 : .max }
            let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
            return Int32(clamping: max(0, total))
        }
    }

    /// Whether the connection may write.
    public enum Mode: Sendable, Hashable {
        /// Reads and writes; the file is created when missing and switched to write-ahead logging.
        case readWrite
        /// Only reads (`mode=ro`, and `immutable=1` when the file's filesystem is read-only): nothing on
        /// the connection writes the file, its journal mode or its schema. When the file's `user_version`
        /// is below `expectedVersion`, a statement that fails to compile (a table or column an older
        /// schema lacks) is reported as `schemaTooOld`.
        case readOnly(expectedVersion: Int?)
    }

    public let location: Location
    public let configuration: Configuration
    public let mode: Mode
    /// The file's schema version and the expected one, when a read-only file is older than expected.
    let outdated: (found: Int, expected: Int)?
    /// The write-ahead log (`FILE-wal`, with frames in it) that a read-only open of a file nothing can
    /// change (`immutable=1`) ignores: a writer that did not finish left it, and its last commits are not
    /// read. Nil when there is none or the connection reads it.
    public let ignoredWriteAheadLog: String?
    private let handle: Mutex<OpaquePointer>

    /// Opens the database at `location` (creating it when missing, unless read-only), runs `check` on the
    /// connection before anything writes, and configures it.
    ///
    /// `check` sees the file as it was: it may refuse it (throw), and then the file is left untouched.
    public init(
        location: Location, configuration: Configuration = Configuration(), mode: Mode = .readWrite,
        check: @Sendable (borrowing SQLiteConnection) throws(StoreError) -> Void = { _ throws(StoreError) in }
    ) throws(StoreError) {
        self.location = location
        self.configuration = configuration
        self.mode = mode
        let path = location.filename
        let timeout = configuration.busyTimeoutMilliseconds
        var opened: OpaquePointer?
        let resultCode: Int32
        var ignoredLog: String?
        if case .readOnly = mode, case .path(let file) = location {
            let opening = ReadOnlyOpening(path: file)
            ignoredLog = opening.ignoredWriteAheadLog
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX
            resultCode = sqlite3_open_v2(opening.uri, &opened, flags, nil)
        } else {
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
            resultCode = sqlite3_open_v2(path, &opened, flags, nil)
        }
        guard resultCode == SQLITE_OK, let opened else {
            let error = StoreError.sqlite(
                resultCode == SQLITE_OK ? SQLITE_CANTOPEN : resultCode, handle: opened, statement: nil, path: path,
                busyTimeoutMilliseconds: timeout)
            sqlite3_close_v2(opened)
            throw error
        }
        let connection = SQLiteConnection(
            context: SQLiteConnection.Context(handle: opened, path: path, busyTimeoutMilliseconds: timeout))
        var outdated: (found: Int, expected: Int)?
        do throws(StoreError) {
            try Self.configure(connection, location: location, mode: mode, check: check)
            if case .readOnly(let expected?) = mode, case let found = try connection.userVersion(), found < expected {
                outdated = (found, expected)
            }
        } catch {
            sqlite3_close_v2(opened)
            throw error
        }
        self.outdated = outdated
        self.ignoredWriteAheadLog = ignoredLog
        self.handle = Mutex(opened)
    }

    deinit {
        handle.withLock { _ = sqlite3_close_v2($0) }
    }

    /// The path of the database file, or `:memory:`.
    public var path: String { location.filename }

    /// Runs `body` with exclusive use of the connection; other callers wait until it returns.
    ///
    /// Do not call back into this database from `body`: use the connection it is given.
    public func withConnection<T: Sendable>(
        _ body: (borrowing SQLiteConnection) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        let path = path
        let timeout = configuration.busyTimeoutMilliseconds
        do {
            return try handle.withLock { (opened: inout OpaquePointer) throws(StoreError) -> T in
                let connection = SQLiteConnection(
                    context: SQLiteConnection.Context(handle: opened, path: path, busyTimeoutMilliseconds: timeout))
                return try body(connection)
            }
        } catch {
            // An older schema lacks tables and columns: that statement failing to compile is a file to upgrade.
            guard let outdated, error.resultCode == SQLITE_ERROR else { throw error }
            throw StoreError.schemaTooOld(found: outdated.found, expected: outdated.expected, path: path)
        }
    }

    /// True when the connection only reads.
    public var isReadOnly: Bool {
        if case .readOnly = mode { true } else { false }
    }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    ///
    /// The transaction begins with `BEGIN IMMEDIATE`, taking the write lock up front, so a writer in
    /// another process makes this one wait (up to the busy timeout) at the start instead of failing with
    /// `busy` halfway through when a read would have to become a write.
    public func transaction<T: Sendable>(
        _ body: (borrowing SQLiteConnection) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        try withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> T in
            try connection.execute("BEGIN IMMEDIATE")
            do throws(StoreError) {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                // SQLite may already have rolled back (after some I/O errors); only an open one needs it.
                if connection.isInTransaction {
                    try? connection.execute("ROLLBACK")
                }
                throw error
            }
        }
    }

    /// The journal mode SQLite reports (`wal` for files, `memory` for in-memory databases).
    public func journalMode() throws(StoreError) -> String {
        try withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) -> String in
            try connection.queryFirst("PRAGMA journal_mode") { row throws(StoreError) in try row.text(at: 0) } ?? ""
        }
    }

    /// Sets up a freshly opened connection, proves the file is a readable database and runs `check`
    /// before the first statement that could write (the switch to write-ahead logging).
    private static func configure(
        _ connection: borrowing SQLiteConnection, location: Location, mode: Mode,
        check: @Sendable (borrowing SQLiteConnection) throws(StoreError) -> Void
    ) throws(StoreError) {
        let handle = connection.context.handle
        sqlite3_extended_result_codes(handle, 1)
        let timeout = connection.context.busyTimeoutMilliseconds
        let resultCode = sqlite3_busy_timeout(handle, timeout)
        guard resultCode == SQLITE_OK else { throw connection.context.error(resultCode, statement: nil) }
        // Reading the schema is the cheapest query that touches the file: a file that is not a database,
        // is corrupt, or cannot be read fails here.
        try connection.execute("PRAGMA schema_version")
        try check(connection)
        if case .path = location, mode == .readWrite {
            try connection.execute("PRAGMA journal_mode=WAL")
        }
        try connection.execute("PRAGMA foreign_keys=ON")
        try connection.execute("PRAGMA synchronous=NORMAL")
    }
}
