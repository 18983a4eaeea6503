/// Reads one or more JSON values written one after another, as the suite's `in.json` holds them.
struct JSONReader {
    /// Why the text is not JSON, and at which byte.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var index = 0

    /// Every value in `bytes`, in order; an empty or all-whitespace text has none.
    static func values(_ bytes: [UInt8]) throws(Failure) -> [JSONValue] {
        var reader = JSONReader(bytes: bytes)
        var values: [JSONValue] = []
        reader.skipWhitespace()
        while reader.index < bytes.count {
            values.append(try reader.value())
            reader.skipWhitespace()
        }
        return values
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw fail("unexpected end of text") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try string()
            try expect(":")
            members[key] = try value()
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            try expect(",")
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            try expect(",")
        }
    }

    private mutating func string() throws(Failure) -> String {
        index += 1
        var utf8: [UInt8] = []
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            default:
                utf8.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(Failure) {
        guard let byte = peek() else { throw fail("unterminated escape") }
        index += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[byte] {
            utf8.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw fail("unknown escape") }
        var code = try hexQuad()
        if (0xD800..<0xDC00).contains(code), peek() == UInt8(ascii: "\\") {
            index += 2
            let low = try hexQuad()
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point") }
        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count,
            let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw fail("bad \\u escape") }
        index += 4
        return code
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        let numberBytes = Array("+-0123456789.eE".utf8)
        while let byte = peek(), numberBytes.contains(byte) { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        let isFloat = text.contains { $0 == "." || $0 == "e" || $0 == "E" }
        if !isFloat, let int = Int(text) { return .int(int) }
        guard !text.isEmpty, let float = Double(text) else { throw fail("unexpected character") }
        return .float(float)
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(Failure) -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes[index...].starts(with: expected) else { throw fail("expected \(word)") }
        index += expected.count
        return value
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(Failure) {
        skipWhitespace()
        guard peek() == UInt8(ascii: character) else { throw fail("expected '\(character)'") }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: message, offset: index)
    }
}
