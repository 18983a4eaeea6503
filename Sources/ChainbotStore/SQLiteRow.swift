internal import CSQLite
import ChainbotCore

/// The current row of a statement being stepped; valid only until the statement steps again.
///
/// Columns are 0-based. Typed getters throw `invalidData` naming the column when the stored value has
/// another storage class, so a damaged or foreign database gives an error instead of a wrong value.
public struct SQLiteRow {
    let statement: OpaquePointer
    let path: String

    /// How many columns the row has.
    public var columnCount: Int { Int(sqlite3_column_count(statement)) }

    /// The value in `column`, whatever its storage class.
    public func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT: .text(textValue(at: column))
        case SQLITE_BLOB: .blob(blobValue(at: column))
        default: .null
        }
    }

    /// True when `column` holds NULL.
    public func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    /// The integer in `column`.
    public func int64(at column: Int32) throws(StoreError) -> Int64 {
        try expect(SQLITE_INTEGER, "an integer", at: column)
        return sqlite3_column_int64(statement, column)
    }

    /// The integer in `column`, or nil for NULL.
    public func optionalInt64(at column: Int32) throws(StoreError) -> Int64? {
        isNull(at: column) ? nil : try int64(at: column)
    }

    /// The integer in `column` as an `Int`, failing when it does not fit.
    public func int(at column: Int32) throws(StoreError) -> Int {
        let value = try int64(at: column)
        guard let result = Int(exactly: value) else {
            throw invalid("column \(describe(column)) holds \(value), which does not fit in Int")
        }
        return result
    }

    /// The number in `column` (an integer is converted).
    public func double(at column: Int32) throws(StoreError) -> Double {
        if sqlite3_column_type(statement, column) == SQLITE_INTEGER {
            return Double(sqlite3_column_int64(statement, column))
        }
        try expect(SQLITE_FLOAT, "a number", at: column)
        return sqlite3_column_double(statement, column)
    }

    /// The text in `column`, decoded as UTF-8 (invalid bytes repaired).
    public func text(at column: Int32) throws(StoreError) -> String {
        try expect(SQLITE_TEXT, "text", at: column)
        return textValue(at: column)
    }

    /// The text in `column`, or nil for NULL.
    public func optionalText(at column: Int32) throws(StoreError) -> String? {
        isNull(at: column) ? nil : try text(at: column)
    }

    /// The bytes in `column`.
    public func blob(at column: Int32) throws(StoreError) -> [UInt8] {
        try expect(SQLITE_BLOB, "a blob", at: column)
        return blobValue(at: column)
    }

    /// The integer 0 or 1 in `column` as a `Bool`.
    public func bool(at column: Int32) throws(StoreError) -> Bool {
        switch try int64(at: column) {
        case 0: return false
        case 1: return true
        case let other: throw invalid("column \(describe(column)) holds \(other), expected 0 or 1")
        }
    }

    /// The text in `column` as a value of a `String`-backed enumeration.
    public func enumeration<T: RawRepresentable>(_ type: T.Type, at column: Int32) throws(StoreError) -> T
    where T.RawValue == String {
        let raw = try text(at: column)
        guard let value = T(rawValue: raw) else {
            // The stored text is left out of the message: only the store's own vocabulary belongs here.
            throw invalid("column \(describe(column)) holds text that is not a known \(T.self)")
        }
        return value
    }

    /// The milliseconds since the epoch in `column` as a `Timestamp`.
    public func timestamp(at column: Int32) throws(StoreError) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: try int64(at: column))
    }

    /// The milliseconds since the epoch in `column` as a `Timestamp`, or nil for NULL.
    public func optionalTimestamp(at column: Int32) throws(StoreError) -> Timestamp? {
        try optionalInt64(at: column).map { Timestamp(millisecondsSinceEpoch: $0) }
    }

    private func textValue(at column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private func blobValue(at column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    private func expect(_ storageClass: Int32, _ expected: String, at column: Int32) throws(StoreError) {
        let actual = sqlite3_column_type(statement, column)
        guard actual != storageClass else { return }
        let found =
            switch actual {
            case SQLITE_NULL: "NULL"
            case SQLITE_INTEGER: "an integer"
            case SQLITE_FLOAT: "a number"
            case SQLITE_TEXT: "text"
            default: "a blob"
            }
        throw invalid("column \(describe(column)) holds \(found), expected \(expected)")
    }

    private func describe(_ column: Int32) -> String {
        guard let name = sqlite3_column_name(statement, column) else { return "\(column)" }
        return "\(column) (\(String(cString: name)))"
    }

    private func invalid(_ message: String) -> StoreError {
        let sql = sqlite3_sql(statement).map { String(cString: $0) }
        return StoreError(code: .invalidData, message: message, statement: sql, path: path)
    }
}
