/// An IPv4 or IPv6 address, parsed from text and printed in canonical form.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    public var family: Family
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public var bytes: [UInt8]

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail); no zones.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPAddress.parseV4(Substring(text)) {
            family = .v4
            bytes = v4
        } else if let v6 = IPAddress.parseV6(Substring(text)) {
            family = .v6
            bytes = v6
        } else {
            return nil
        }
    }

    /// True for `0.0.0.0` and `::`, the any-address binds.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// True for 127.0.0.0/8 and `::1`.
    public var isLoopback: Bool {
        family == .v4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    public var description: String {
        family == .v4 ? bytes.map(String.init).joined(separator: ".") : IPAddress.formatV6(bytes)
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, out.count < 3 else { return nil }
                out.append(UInt8(value))
                value = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if digits == 1 && leadingZero { return nil }  // "01" is ambiguous (octal in some parsers): refuse
            if digits == 0 { leadingZero = byte == UInt8(ascii: "0") }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255 else { return nil }
        }
        guard digits > 0, out.count == 3 else { return nil }
        out.append(UInt8(value))
        return out
    }

    private static func parseV6(_ text: Substring) -> [UInt8]? {
        guard text.count >= 2, text.count <= 45, text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
        else { return nil }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowV4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if allowV4Tail, index == fields.count - 1, field.contains(".") {
                    guard let v4 = parseV4(field) else { return nil }
                    out += v4
                } else {
                    guard (1...4).contains(field.count), let value = UInt16(field, radix: 16) else { return nil }
                    out += [UInt8(value >> 8), UInt8(value & 0xff)]
                }
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowV4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowV4Tail: false), let tail = groups(halves[1], allowV4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// RFC 5952 text: lowercase, leading zeros dropped, the longest run of two or more zero groups as `::`.
    private static func formatV6(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

/// A network: an address and a prefix length, e.g. `10.42.69.0/24`; a bare address is a host network.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    /// Parses `ADDRESS[/PREFIX]`; nil when malformed or the prefix is out of range for the family.
    public init?(_ text: some StringProtocol) {
        let slash = text.firstIndex(of: "/")
        guard let address = IPAddress(text[..<(slash ?? text.endIndex)]) else { return nil }
        let maximum = address.family == .v4 ? 32 : 128
        if let slash {
            let digits = text[text.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCIIDigit),
                let prefix = Int(digits), prefix <= maximum
            else { return nil }
            prefixLength = prefix
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

    /// True when address bits beyond the prefix are zero (`10.0.0.0/8`, not `10.0.0.1/8`).
    public var isNetworkAddress: Bool { masked(address.bytes) == address.bytes }

    /// True when `other` lies entirely inside this network.
    public func contains(_ other: CIDR) -> Bool {
        other.address.family == address.family && other.prefixLength >= prefixLength
            && masked(other.address.bytes) == masked(address.bytes)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private func masked(_ bytes: [UInt8]) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsLeft = prefixLength - index * 8
            if bitsLeft >= 8 { return byte }
            if bitsLeft <= 0 { return 0 }
            return byte & UInt8(truncatingIfNeeded: 0xff << (8 - bitsLeft))
        }
    }
}

extension Character {
    /// True for 0–9 only (not other Unicode digits).
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
