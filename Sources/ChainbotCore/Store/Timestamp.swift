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

extension Timestamp {
    /// `2026-11-22T08:15:03Z` (UTC, whole seconds), computed without the C library.
    public var iso8601: String {
        let seconds =
            millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 1000 : (millisecondsSinceEpoch - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):"
            + "\(two(secondOfDay % 60))Z"
    }
}
