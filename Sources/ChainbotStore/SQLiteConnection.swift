internal import CSQLite
import ChainbotCore
internal import Glibc

/// Exclusive use of an open database for the length of one `SQLiteDatabase.withConnection` or
/// `transaction` closure; it cannot be copied out of it.
public struct SQLiteConnection: ~Copyable {
    /// The raw handle and what error messages need to name.
    struct Context {
        let handle: OpaquePointer
        let path: String
        let busyTimeoutMilliseconds: Int32

        /// The error SQLite reported for `resultCode` while running `statement`.
        func error(_ resultCode: Int32, statement: String?) -> StoreError {
            .sqlite(
                resultCode, handle: handle, statement: statement, path: path,
                busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
    }

    let context: Context

    init(context: Context) {
        self.context = context
    }

    /// The path of the database file, or `:memory:`.
    public var path: String { context.path }

    /// Compiles one SQL statement.
    public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        try SQLiteStatement(sql: sql, context: context)
    }

    /// Runs one statement with `arguments` bound to its `?` placeholders, discarding any rows.
    public func execute(_ sql: String, _ arguments: any SQLiteBindable...) throws(StoreError) {
        let statement = try prepare(sql)
        try statement.bind(arguments.map(\.sqliteValue))
        while try statement.step() != nil {}
    }

    /// Runs one statement with `arguments` bound and returns every row, each decoded by `decode`.
    public func query<T>(
        _ sql: String, _ arguments: any SQLiteBindable..., decode: (SQLiteRow) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        let statement = try prepare(sql)
        try statement.bind(arguments.map(\.sqliteValue))
        var results: [T] = []
        while let row = try statement.step() {
            results.append(try decode(row))
        }
        return results
    }

    /// Runs one statement with `arguments` bound and decodes its first row; nil when there is none.
    public func queryFirst<T>(
        _ sql: String, _ arguments: any SQLiteBindable..., decode: (SQLiteRow) throws(StoreError) -> T
    ) throws(StoreError) -> T? {
        let statement = try prepare(sql)
        try statement.bind(arguments.map(\.sqliteValue))
        guard let row = try statement.step() else { return nil }
        return try decode(row)
    }

    /// Runs a script of statements separated by `;`, without arguments (schema changes, pragmas).
    ///
    /// SQLite itself splits the script, so `;` inside strings, comments and triggers is safe. A failure
    /// names the one statement that failed, not the whole script.
    public func executeScript(_ script: String) throws(StoreError) {
        let source = script.utf8CString
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: source.count)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: source)
        guard let start = buffer.baseAddress else { return }
        var cursor = UnsafePointer(start)
        while cursor.pointee != 0 {
            var handle: OpaquePointer?
            var tail: UnsafePointer<CChar>?
            let resultCode = sqlite3_prepare_v2(context.handle, cursor, -1, &handle, &tail)
            let end = tail ?? cursor.advanced(by: strlen(cursor))
            let text = String(
                decoding: UnsafeRawBufferPointer(start: cursor, count: cursor.distance(to: end)), as: UTF8.self)
            guard resultCode == SQLITE_OK else {
                sqlite3_finalize(handle)
                throw context.error(resultCode, statement: text.trimmingWhitespace())
            }
            // SQLite always consumes something; stopping otherwise guards against looping forever.
            guard end != cursor else { break }
            cursor = end
            // A stretch of only whitespace or comments compiles to no statement.
            guard let handle else { continue }
            let statement = SQLiteStatement(prepared: handle, sql: text.trimmingWhitespace(), context: context)
            while try statement.step() != nil {}
        }
    }

    /// The row ID of the latest successful insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(context.handle) }

    /// How many rows the latest insert, update or delete changed.
    public var changes: Int { Int(sqlite3_changes64(context.handle)) }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(context.handle) == 0 }

    /// The database's `PRAGMA user_version`, the schema version migrations keep.
    public func userVersion() throws(StoreError) -> Int {
        try queryFirst("PRAGMA user_version") { row throws(StoreError) in try row.int(at: 0) } ?? 0
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
