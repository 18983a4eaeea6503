/// systemd's object paths for units: `/org/freedesktop/systemd1/unit/` + the unit name with every byte
/// other than an ASCII letter or digit (and a leading digit) written `_xx` in lowercase hex, as
/// `sd_bus_path_encode` does (`web.service` → `web_2eservice`).
public enum SystemdUnitPath {
    /// The parent of every unit object.
    public static let prefix = "/org/freedesktop/systemd1/unit/"

    /// The object path of the unit named `name`.
    public static func path(forUnit name: String) -> String {
        guard !name.isEmpty else { return prefix + "_" }
        let digits = Array("0123456789abcdef".utf8)
        var escaped: [UInt8] = []
        for (index, byte) in name.utf8.enumerated() {
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if isLetter || (isDigit && index > 0) {
                escaped.append(byte)
            } else {
                escaped += [UInt8(ascii: "_"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return prefix + String(decoding: escaped, as: UTF8.self)
    }

    /// The unit name in `path`, or nil when `path` is not a unit object or its escaping is invalid.
    public static func unitName(fromPath path: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let encoded = Array(path.utf8.dropFirst(prefix.utf8.count))
        guard !encoded.isEmpty, !encoded.contains(UInt8(ascii: "/")) else { return nil }
        if encoded == [UInt8(ascii: "_")] { return nil }  // The empty name: not a unit.
        var bytes: [UInt8] = []
        var index = 0
        while index < encoded.count {
            guard encoded[index] == UInt8(ascii: "_") else {
                bytes.append(encoded[index])
                index += 1
                continue
            }
            guard index + 2 < encoded.count, let high = hexValue(encoded[index + 1]),
                let low = hexValue(encoded[index + 2])
            else { return nil }
            bytes.append(high << 4 | low)
            index += 3
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
