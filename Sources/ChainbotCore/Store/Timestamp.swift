/// A wall-clock instant: whole milliseconds since the Unix epoch (1970-01-01T00:00:00Z, UTC).
///
/// This is how the store keeps every time, so a record read back compares equal to the one written.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, UTC; negative before 1970.
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The instant `duration` after this one, truncated to whole milliseconds and clamped to the representable range.
    public func advanced(by duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        let (wholeMilliseconds, overflowed) = seconds.multipliedReportingOverflow(by: 1000)
        let milliseconds =
            overflowed
            ? (seconds < 0 ? Int64.min : Int64.max)
            : wholeMilliseconds.addingClamped(attoseconds / 1_000_000_000_000_000)
        return Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch.addingClamped(milliseconds))
    }

    /// The time from `other` to this instant (negative when `other` is later).
    public func duration(since other: Timestamp) -> Duration {
        .milliseconds(millisecondsSinceEpoch) - .milliseconds(other.millisecondsSinceEpoch)
    }

    /// `@` followed by the milliseconds since the epoch, e.g. `@1700000000000ms`.
    public var description: String { "@\(millisecondsSinceEpoch)ms" }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}

extension Int64 {
    /// The sum, clamped to `Int64.min...Int64.max` instead of trapping.
    fileprivate func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflowed) = addingReportingOverflow(other)
        guard overflowed else { return sum }
        return other < 0 ? .min : .max
    }
}

extension Timestamp: Codable {
    /// Encoded as the bare number of milliseconds since the epoch.
    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }
}
