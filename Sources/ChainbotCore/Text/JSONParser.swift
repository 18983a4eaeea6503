/// A strict recursive-descent RFC 8259 reader over UTF-8 bytes, behind `JSONValue(parsing:)`.
struct JSONParser {
    let bytes: [UInt8]
    private let limits: JSONValue.Limits
    /// The 0-based offset of the next byte to read.
    var index = 0

    init(bytes: [UInt8], limits: JSONValue.Limits) throws(JSONSyntaxError) {
        self.bytes = bytes
        self.limits = limits
        guard bytes.count <= limits.maxBytes else {
            throw JSONSyntaxError(offset: limits.maxBytes, message: "longer than \(limits.maxBytes) bytes")
        }
    }

    var atEnd: Bool { index == bytes.count }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, message: message) }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
    }

    /// The value at the next non-space byte; `depth` counts the arrays and objects around it.
    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        skipSpace()
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < limits.maxDepth else { throw error("nested too deeply") }
            return byte == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let word = Array(word.utf8)
        guard bytes[index...].starts(with: word) else { throw error("unexpected character") }
        index += word.count
        return value
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try string()
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            members.append((key, try value(depth: depth + 1)))
            if try endOfList(closing: "}") { return .object(members) }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            if try endOfList(closing: "]") { return .array(items) }
        }
    }

    /// After an item: true past `closing`, false past a `,`.
    private mutating func endOfList(closing: Unicode.Scalar) throws(JSONSyntaxError) -> Bool {
        skipSpace()
        guard let byte = peek() else { throw error("unexpected end of input") }
        guard byte == UInt8(ascii: closing) || byte == UInt8(ascii: ",") else {
            throw error("expected ',' or '\(closing)'")
        }
        index += 1
        return byte == UInt8(ascii: closing)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            guard index > start else { throw error("unexpected character") }
            throw error("expected a digit")
        }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            index += 1
            integral = false
            guard digits() > 0 else { throw error("expected a digit") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            integral = false
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("expected a digit") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        return .number(text)
    }

    /// Skips ASCII digits; how many there were.
    private mutating func digits() -> Int {
        let start = index
        while let byte = peek(), (0x30...0x39).contains(byte) { index += 1 }
        return index - start
    }
}
