import ChainbotCore

/// ISO-8601 UTC times as ALEX OS reads them.
enum UTCTime {
    /// `2026-11-29T09:00:00Z`, or the naive form `2026-11-29T09:00:00` that ChainBot's registrations use.
    static func iso(_ timestamp: Timestamp, zone: Bool = true) -> String {
        zone ? timestamp.iso8601 : String(timestamp.iso8601.dropLast())
    }
}
