import ChainbotCore
import Glibc

/// ISO-8601 UTC times as ALEX OS reads them.
enum UTCTime {
    /// `2026-11-29T09:00:00Z`, or the naive form `2026-11-29T09:00:00` that ChainBot's registrations use.
    static func iso(_ timestamp: Timestamp, zone: Bool = true) -> String {
        var seconds = time_t(timestamp.millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))" + (zone ? "Z" : "")
    }
}
