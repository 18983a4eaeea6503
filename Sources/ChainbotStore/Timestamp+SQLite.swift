import ChainbotCore
internal import Glibc

/// Binds as its milliseconds since the epoch, the way the store keeps every time.
extension Timestamp: SQLiteBindable {
    public var sqliteValue: SQLiteValue { .integer(millisecondsSinceEpoch) }
}

extension Timestamp {
    /// The system's wall-clock time (`CLOCK_REALTIME`), truncated to whole milliseconds.
    public static func now() -> Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(millisecondsSinceEpoch: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
    }
}

extension SQLiteRow {
    /// The milliseconds since the epoch in `column` as a `Timestamp`.
    public func timestamp(at column: Int32) throws(StoreError) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: try int64(at: column))
    }

    /// The milliseconds since the epoch in `column` as a `Timestamp`, or nil for NULL.
    public func optionalTimestamp(at column: Int32) throws(StoreError) -> Timestamp? {
        try optionalInt64(at: column).map { Timestamp(millisecondsSinceEpoch: $0) }
    }
}
