/// D-Bus type signatures: splitting one into its complete types, and each type's alignment.
enum DBusSignature {
    /// The alignment in bytes of values whose signature starts with `signature`'s first character.
    static func alignment(of signature: String) -> Int {
        switch signature.utf8.first {
        case UInt8(ascii: "y"), UInt8(ascii: "g"), UInt8(ascii: "v"): 1
        case UInt8(ascii: "n"), UInt8(ascii: "q"): 2
        case UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "("), UInt8(ascii: "{"): 8
        default: 4
        }
    }

    /// `signature` cut into its complete types (`a{sv}as` → `a{sv}`, `as`); throws when one is incomplete.
    static func split(_ signature: String) throws(DBusError) -> [String] {
        let utf8 = Array(signature.utf8)
        var types: [String] = []
        var index = 0
        while index < utf8.count {
            let end = try endOfType(utf8, from: index, depth: 0)
            types.append(String(decoding: utf8[index..<end], as: UTF8.self))
            index = end
        }
        return types
    }

    /// The index just after the complete type that starts at `start`.
    private static func endOfType(_ utf8: [UInt8], from start: Int, depth: Int) throws(DBusError) -> Int {
        // The specification allows 32 levels of arrays plus 32 of structures.
        guard depth <= 64 else { throw DBusError.malformed("signature nested deeper than 64") }
        guard start < utf8.count else { throw DBusError.malformed("signature ends inside a type") }
        switch utf8[start] {
        case UInt8(ascii: "a"):
            return try endOfType(utf8, from: start + 1, depth: depth + 1)
        case UInt8(ascii: "("), UInt8(ascii: "{"):
            let close = utf8[start] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}")
            var index = start + 1
            while index < utf8.count, utf8[index] != close {
                index = try endOfType(utf8, from: index, depth: depth + 1)
            }
            guard index < utf8.count, index > start + 1 else {
                throw DBusError.malformed("unclosed or empty '\(Character(UnicodeScalar(utf8[start])))' in signature")
            }
            return index + 1
        case let code where "ybnqiuxtdsogv".utf8.contains(code):
            return start + 1
        case let code:
            throw DBusError.unsupported("type code '\(Character(UnicodeScalar(code)))' in a signature")
        }
    }
}
