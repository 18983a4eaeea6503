/// Durations in systemd's own time-span spelling (`5s`, `1min 30s`, `1h 2min`, `500ms`, `0`).
enum SystemdTimeSpan {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// The canonical text for `duration`, largest unit first, space-separated, millisecond precision
    /// (what `systemd.time(7)` parses and, for whole seconds, what `systemctl show` prints).
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var milliseconds = max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        if milliseconds == 0 { return "0" }
        var parts: [String] = []
        for unit in units where milliseconds >= unit.milliseconds {
            parts.append("\(milliseconds / unit.milliseconds)\(unit.suffix)")
            milliseconds %= unit.milliseconds
        }
        return parts.joined(separator: " ")
    }
}
