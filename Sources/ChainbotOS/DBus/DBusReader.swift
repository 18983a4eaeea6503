/// Unmarshals D-Bus values from one message's bytes, checking every length and alignment against the
/// buffer; offsets and alignment count from the start of the message.
struct DBusReader {
    let bytes: [UInt8]
    let littleEndian: Bool
    private(set) var offset: Int

    init(_ bytes: [UInt8], littleEndian: Bool, offset: Int = 0) {
        self.bytes = bytes
        self.littleEndian = littleEndian
        self.offset = offset
    }

    /// Reads one value of each complete type in `signature`, in order; only the first `limit` when given.
    mutating func read(signature: String, limit: Int? = nil) throws(DBusError) -> [DBusValue] {
        var values: [DBusValue] = []
        for type in try DBusSignature.split(signature).prefix(limit ?? Int.max) {
            values.append(try read(type: type, depth: 0))
        }
        return values
    }

    /// Skips padding up to `alignment`; the padding must be zero bytes.
    mutating func align(to alignment: Int) throws(DBusError) {
        let target = (offset + alignment - 1) / alignment * alignment
        guard target <= bytes.count else { throw DBusError.malformed("padding runs past the end") }
        guard bytes[offset..<target].allSatisfy({ $0 == 0 }) else { throw DBusError.malformed("non-zero padding") }
        offset = target
    }

    mutating func readInteger<T: FixedWidthInteger>(_: T.Type) throws(DBusError) -> T {
        let size = MemoryLayout<T>.size
        try align(to: size)
        guard offset + size <= bytes.count else { throw DBusError.malformed("a \(size)-byte integer past the end") }
        var value: T = 0
        for index in 0..<size {
            let byte = T(truncatingIfNeeded: bytes[offset + (littleEndian ? index : size - 1 - index)])
            value |= byte << (8 * index)
        }
        offset += size
        return value
    }

    private mutating func read(type: String, depth: Int) throws(DBusError) -> DBusValue {
        guard depth <= 64 else { throw DBusError.malformed("values nested deeper than 64") }
        guard let code = type.utf8.first else { throw DBusError.malformed("empty type") }
        switch code {
        case UInt8(ascii: "y"): return .byte(try readByte())
        case UInt8(ascii: "b"):
            let raw = try readInteger(UInt32.self)
            guard raw <= 1 else { throw DBusError.malformed("boolean \(raw)") }
            return .boolean(raw == 1)
        case UInt8(ascii: "n"): return .int16(try readInteger(Int16.self))
        case UInt8(ascii: "q"): return .uint16(try readInteger(UInt16.self))
        case UInt8(ascii: "i"): return .int32(try readInteger(Int32.self))
        case UInt8(ascii: "u"): return .uint32(try readInteger(UInt32.self))
        case UInt8(ascii: "x"): return .int64(try readInteger(Int64.self))
        case UInt8(ascii: "t"): return .uint64(try readInteger(UInt64.self))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readInteger(UInt64.self)))
        case UInt8(ascii: "s"): return .string(try readString())
        case UInt8(ascii: "o"): return .objectPath(try readString())
        case UInt8(ascii: "g"): return .signature(try readSignature())
        case UInt8(ascii: "v"): return try readVariant(depth: depth)
        case UInt8(ascii: "a"): return try readArray(element: String(type.dropFirst()), depth: depth)
        case UInt8(ascii: "("):
            try align(to: 8)
            let inner = String(type.dropFirst().dropLast())
            var fields: [DBusValue] = []
            for field in try DBusSignature.split(inner) { fields.append(try read(type: field, depth: depth + 1)) }
            return .structure(fields)
        case UInt8(ascii: "{"):
            try align(to: 8)
            let parts = try DBusSignature.split(String(type.dropFirst().dropLast()))
            guard parts.count == 2 else { throw DBusError.malformed("dict entry type \(type)") }
            let key = try read(type: parts[0], depth: depth + 1)
            return .dictEntry(key: key, value: try read(type: parts[1], depth: depth + 1))
        default: throw DBusError.unsupported("type \(type)")
        }
    }

    private mutating func readBytes(_ count: Int) throws(DBusError) -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw DBusError.malformed("\(count) bytes past the end")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    private mutating func readByte() throws(DBusError) -> UInt8 {
        guard offset < bytes.count else { throw DBusError.malformed("a byte past the end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func readString() throws(DBusError) -> String {
        let length = Int(try readInteger(UInt32.self))
        return try text(length)
    }

    private mutating func readSignature() throws(DBusError) -> String {
        let length = Int(try readByte())
        return try text(length)
    }

    /// `length` bytes of UTF-8 followed by the NUL the format requires.
    private mutating func text(_ length: Int) throws(DBusError) -> String {
        let utf8 = try readBytes(length)
        guard try readByte() == 0, !utf8.contains(0) else { throw DBusError.malformed("string not NUL-ended") }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw DBusError.malformed("string not UTF-8") }
        return text
    }

    private mutating func readVariant(depth: Int) throws(DBusError) -> DBusValue {
        let signature = try readSignature()
        let types = try DBusSignature.split(signature)
        guard types.count == 1 else { throw DBusError.malformed("variant signature '\(signature)'") }
        return .variant(try read(type: types[0], depth: depth + 1))
    }

    private mutating func readArray(element: String, depth: Int) throws(DBusError) -> DBusValue {
        let length = Int(try readInteger(UInt32.self))
        // The specification's limit; it also bounds the loop below against a hostile length.
        guard length <= 64 * 1024 * 1024 else { throw DBusError.malformed("array of \(length) bytes") }
        try align(to: DBusSignature.alignment(of: element))
        let end = offset + length
        guard end <= bytes.count else { throw DBusError.malformed("array runs past the end") }
        var elements: [DBusValue] = []
        while offset < end { elements.append(try read(type: element, depth: depth + 1)) }
        guard offset == end else { throw DBusError.malformed("array elements overrun its length") }
        return .array(elementSignature: element, elements)
    }
}
