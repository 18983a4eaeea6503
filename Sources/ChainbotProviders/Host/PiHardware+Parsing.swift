extension PiHardware {
    /// The text of a device-tree string property: up to the first NUL byte, trimmed; nil when empty.
    static func parseDeviceTreeString(_ bytes: [UInt8]) -> String? {
        let text = HostText.trimmed(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
        return text.isEmpty ? nil : text
    }

    /// The value of the last `Name : value` line of `/proc/cpuinfo` whose name is `name`.
    static func cpuinfoValue(_ name: String, in text: String) -> String? {
        var found: String?
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), HostText.trimmed(line[..<colon]) == name else { continue }
            let value = HostText.trimmed(line[line.index(after: colon)...])
            if !value.isEmpty { found = value }
        }
        return found
    }

    /// `MemTotal` and `MemAvailable` (KiB) from `/proc/meminfo`; nil unless both are there.
    static func parseMeminfo(_ text: String) -> Memory? {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ")
            if let number = fields.first.flatMap({ Int($0) }) { values[String(line[..<colon])] = number }
        }
        guard let total = values["MemTotal"], let available = values["MemAvailable"] else { return nil }
        return Memory(totalKB: total, availableKB: available)
    }

    /// The three load averages from `/proc/loadavg` (`0.15 0.10 0.05 1/234 5678`).
    static func parseLoadavg(_ text: String) -> Load? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).compactMap { Double($0) }
        guard fields.count == 3 else { return nil }
        return Load(one: fields[0], five: fields[1], fifteen: fields[2])
    }

    /// Seconds since boot: the first field of `/proc/uptime` (`12345.67 45678.90`).
    static func parseUptime(_ text: String) -> Double? {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { Double($0) }
    }

    /// Degrees Celsius from a thermal zone's `temp` (millidegrees, e.g. `48312`).
    static func parseMillidegrees(_ text: String) -> Double? {
        Int(HostText.trimmed(text)).map { Double($0) / 1000 }
    }
}
