extension JSONParser {
    /// The string whose opening quote is at the current byte; its raw bytes must be valid UTF-8.
    mutating func string() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else {
                    index = start
                    throw error("invalid UTF-8 in a string")
                }
                return text
            case UInt8(ascii: "\\"): try escape(into: &out)
            case 0..<0x20:
                index -= 1
                throw error("control character in a string")
            default: out.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func escape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        guard let escape = peek() else { throw error("unterminated string") }
        index += 1
        switch escape {
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "u"): out += Array(String(try unicodeEscape()).utf8)
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
        default:
            index -= 1
            throw error("unknown escape")
        }
    }

    /// Reads the 4 hex digits after `\u` (and a following low surrogate when the first is a high one).
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> Character {
        let high = try hex4()
        if (0xd800..<0xdc00).contains(high), peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
            bytes[index + 1] == UInt8(ascii: "u")
        {
            index += 2
            let low = try hex4()
            guard (0xdc00..<0xe000).contains(low) else { throw error("invalid surrogate pair") }
            let scalar = Unicode.Scalar(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))
            return scalar.map(Character.init) ?? "\u{fffd}"
        }
        return Unicode.Scalar(high).map(Character.init) ?? "\u{fffd}"
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard index + offset < bytes.count, let digit = Self.hexDigit(bytes[index + offset]) else {
                throw error("bad \\u escape")
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }
}
