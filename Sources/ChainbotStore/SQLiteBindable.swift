import ChainbotCore

/// A Swift value that binds to a `?` placeholder of a SQLite statement.
public protocol SQLiteBindable {
    /// The value SQLite receives.
    var sqliteValue: SQLiteValue { get }
}

extension SQLiteValue: SQLiteBindable {
    public var sqliteValue: SQLiteValue { self }
}

extension Int: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
}

extension Int64: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(self) }
}

extension Double: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .real(self) }
}

extension String: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .text(self) }
}

extension Array: SQLiteBindable where Element == UInt8 {
    public var sqliteValue: SQLiteValue { .blob(self) }
}

/// Binds as the integer 1 or 0.
extension Bool: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
}

/// Binds `nil` as SQL NULL.
extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue { map(\.sqliteValue) ?? .null }
}

/// Binds as its milliseconds since the epoch, the way the store keeps every time.
extension Timestamp: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(millisecondsSinceEpoch) }
}
