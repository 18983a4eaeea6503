/// Marshals D-Bus values in little-endian byte order, padding each to its alignment from the start of
/// `bytes` (which must itself start on an 8-byte boundary of the message, as a header and a body do).
struct DBusWriter {
    private(set) var bytes: [UInt8] = []

    /// Appends zero bytes until the length is a multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func write(_ values: [DBusValue]) throws(DBusError) {
        for value in values { try write(value) }
    }

    mutating func write(_ value: DBusValue) throws(DBusError) {
        switch value {
        case .byte(let byte): bytes.append(byte)
        case .boolean(let flag): writeInteger(UInt32(flag ? 1 : 0))
        case .int16(let number): writeInteger(number)
        case .uint16(let number): writeInteger(number)
        case .int32(let number): writeInteger(number)
        case .uint32(let number): writeInteger(number)
        case .int64(let number): writeInteger(number)
        case .uint64(let number): writeInteger(number)
        case .double(let number): writeInteger(number.bitPattern)
        case .string(let text), .objectPath(let text): try writeString(text)
        case .signature(let text): try writeSignature(text)
        case .array(let element, let elements): try writeArray(element, elements)
        case .structure(let fields):
            pad(to: 8)
            try write(fields)
        case .variant(let inner):
            try writeSignature(inner.signature)
            try write(inner)
        case .dictEntry(let key, let value):
            pad(to: 8)
            try write(key)
            try write(value)
        }
    }

    /// Writes `number` in little-endian order after padding to its own size.
    mutating func writeInteger<T: FixedWidthInteger>(_ number: T) {
        pad(to: MemoryLayout<T>.size)
        withUnsafeBytes(of: number.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func writeString(_ text: String) throws(DBusError) {
        let utf8 = Array(text.utf8)
        guard !utf8.contains(0) else { throw DBusError.unsupported("a string with a NUL byte") }
        writeInteger(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    private mutating func writeSignature(_ text: String) throws(DBusError) {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 255 else { throw DBusError.unsupported("a signature longer than 255 bytes") }
        bytes.append(UInt8(utf8.count))
        bytes.append(contentsOf: utf8)
        bytes.append(0)
    }

    private mutating func writeArray(_ element: String, _ elements: [DBusValue]) throws(DBusError) {
        writeInteger(UInt32(0))
        let lengthOffset = bytes.count - 4
        // The length excludes the padding to the first element's alignment.
        pad(to: DBusSignature.alignment(of: element))
        let start = bytes.count
        for value in elements {
            guard value.signature == element else {
                throw DBusError.unsupported("an array of \(element) holding a \(value.signature)")
            }
            try write(value)
        }
        let length = UInt32(bytes.count - start)
        withUnsafeBytes(of: length.littleEndian) { raw in
            for index in 0..<4 { bytes[lengthOffset + index] = raw[index] }
        }
    }
}
