/// Durations written the Go / Kubernetes way: `250ms`, `30s`, `5m`, `1h30m`, `2d`.
public enum DurationText {
    /// Parses one or more `NUMBER UNIT` groups (units ms, s, m, h, d); nil when malformed or absurdly large.
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits: Int64 = 0
        var haveDigits = false
        var index = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        guard !scalars.isEmpty else { return nil }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if let digit = Int64(exactly: scalar.value), (48...57).contains(digit) {
                let (product, overflow) = digits.multipliedReportingOverflow(by: 10)
                guard !overflow, product <= 1_000_000_000 else { return nil }
                digits = product + (digit - 48)
                haveDigits = true
                index = scalars.index(after: index)
                continue
            }
            guard haveDigits else { return nil }
            let unitMilliseconds: Int64
            let next = scalars.index(after: index)
            switch scalar {
            case "m" where next < scalars.endIndex && scalars[next] == "s":
                unitMilliseconds = 1
                index = scalars.index(after: next)
            case "s": unitMilliseconds = 1000; index = next
            case "m": unitMilliseconds = 60_000; index = next
            case "h": unitMilliseconds = 3_600_000; index = next
            case "d": unitMilliseconds = 86_400_000; index = next
            default: return nil
            }
            // Many large groups (`1000000000d1000000000d…`) would overflow the sum: nil, not a trap.
            let (sum, overflow) = total.addingReportingOverflow(digits * unitMilliseconds)
            guard !overflow else { return nil }
            total = sum
            digits = 0
            haveDigits = false
        }
        return haveDigits ? nil : .milliseconds(total)
    }

    /// The shortest text that `parse` reads back as `duration` (`90s` → `1m30s`).
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if milliseconds >= size {
                out += "\(milliseconds / size)\(unit)"
                milliseconds %= size
            }
        }
        return out
    }
}
