import ChainbotCore

/// Socket addresses as `/proc/net/*` writes them, and as chainbot shows and compares them.
enum ListenerAddress {
    /// Decodes a `/proc/net` address: 8 hex digits for IPv4, 32 for IPv6, each 32-bit word printed by the
    /// kernel as a host-order integer. chainbot runs on little-endian hosts only (x86_64, aarch64 Pi OS),
    /// so each word's bytes are reversed. Returns the normalized text, or nil when the field is malformed.
    static func decode(_ hex: Substring) -> String? {
        let digits = Array(hex.utf8)
        guard digits.count == 8 || digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for word in stride(from: 0, to: digits.count, by: 8) {
            var wordBytes: [UInt8] = []
            for pair in stride(from: word, to: word + 8, by: 2) {
                guard let high = hexValue(digits[pair]), let low = hexValue(digits[pair + 1]) else { return nil }
                wordBytes.append(high << 4 | low)
            }
            bytes += wordBytes.reversed()
        }
        return text(bytes)
    }

    /// Decodes a `/proc/net` port: 4 hex digits, already in host order (`1F90` is 8080).
    static func decodePort(_ hex: Substring) -> Int? {
        guard hex.utf8.count == 4, let port = UInt16(hex, radix: 16) else { return nil }
        return Int(port)
    }

    /// `address` in the form listeners use: canonical IPv4 or RFC 5952 IPv6 text, an IPv4-mapped IPv6
    /// address as IPv4; text that is not an address comes back unchanged.
    static func normalized(_ address: String) -> String {
        guard let parsed = IPAddress(address) else { return address }
        return text(parsed.bytes)
    }

    /// `address:port`, with brackets around an IPv6 address (`[::1]:9000`).
    static func endpoint(_ address: String, port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// True for IPv6 text (the only kind with colons).
    static func isIPv6(_ address: String) -> Bool { address.contains(":") }

    /// The text of 4 or 16 network-order bytes; IPv4-mapped (`::ffff:a.b.c.d`) becomes IPv4.
    private static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return text(Array(bytes.suffix(4)))
        }
        let full = (0..<8).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }
        let joined = full.joined(separator: ":")
        return IPAddress(joined)?.description ?? joined
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
