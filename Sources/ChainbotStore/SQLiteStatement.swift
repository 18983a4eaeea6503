internal import CSQLite
import ChainbotCore

/// A compiled SQL statement; finalized when it goes out of scope.
///
/// Bound text and blobs are copied by SQLite (`SQLITE_TRANSIENT`), so the Swift values may go away
/// right after binding.
public struct SQLiteStatement: ~Copyable {
    let handle: OpaquePointer
    let context: SQLiteConnection.Context

    /// The statement's SQL text, with its `?` placeholders and without bound values.
    public let sql: String

    init(sql: String, context: SQLiteConnection.Context) throws(StoreError) {
        var statement: OpaquePointer?
        let resultCode = sqlite3_prepare_v2(context.handle, sql, -1, &statement, nil)
        guard resultCode == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw context.error(resultCode == SQLITE_OK ? SQLITE_MISUSE : resultCode, statement: sql)
        }
        self.init(prepared: statement, sql: sql, context: context)
    }

    /// Takes ownership of a statement SQLite already compiled.
    init(prepared handle: OpaquePointer, sql: String, context: SQLiteConnection.Context) {
        self.handle = handle
        self.context = context
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to the placeholders in order, after clearing earlier bindings.
    public func bind(_ values: [SQLiteValue]) throws(StoreError) {
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw StoreError(
                code: .other, message: "statement has \(expected) placeholders but \(values.count) values were bound",
                statement: sql, path: context.path)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let resultCode =
                switch value {
                case .null: sqlite3_bind_null(handle, index)
                case .integer(let integer): sqlite3_bind_int64(handle, index, integer)
                case .real(let real): sqlite3_bind_double(handle, index, real)
                case .text(let text): bindText(text, at: index)
                case .blob(let bytes):
                    bytes.withUnsafeBytes { buffer in
                        // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
                        sqlite3_bind_blob64(
                            handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                            sqlite3_uint64(buffer.count), csqlite_transient())
                    }
                }
            guard resultCode == SQLITE_OK else { throw context.error(resultCode, statement: sql) }
        }
    }

    /// Binds `text` with its exact UTF-8 length, so an embedded NUL does not cut it short.
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { buffer in
            guard let bytes = buffer.baseAddress else {
                return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            return sqlite3_bind_text64(
                handle, index, bytes, sqlite3_uint64(buffer.count), csqlite_transient(), UInt8(SQLITE_UTF8))
        }
    }

    /// Runs the statement to its next row; returns the row, or nil once the statement is done.
    ///
    /// The row is valid until the next call to `step` or `reset`.
    public func step() throws(StoreError) -> SQLiteRow? {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return SQLiteRow(statement: handle, path: context.path)
        case SQLITE_DONE: return nil
        case let resultCode: throw context.error(resultCode, statement: sql)
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    public func reset() {
        sqlite3_reset(handle)
    }
}
