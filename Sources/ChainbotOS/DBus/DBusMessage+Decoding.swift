extension DBusMessage {
    /// The largest message accepted (the specification's limit is 128 MiB; systemd's replies are far smaller).
    public static let maximumLength = 64 * 1024 * 1024

    /// The whole length of the message whose first 16 bytes are `prefix`, or nil when fewer are there yet.
    public static func frameLength(_ prefix: ArraySlice<UInt8>) throws(DBusError) -> Int? {
        guard prefix.count >= 16 else { return nil }
        let head = Array(prefix.prefix(16))
        let littleEndian = try endianness(head[0])
        var reader = DBusReader(head, littleEndian: littleEndian, offset: 4)
        let bodyLength = Int(try reader.readInteger(UInt32.self))
        _ = try reader.readInteger(UInt32.self)
        let fieldsLength = Int(try reader.readInteger(UInt32.self))
        let headerEnd = (16 + fieldsLength + 7) / 8 * 8
        let total = headerEnd + bodyLength
        guard total <= maximumLength else { throw DBusError.malformed("message of \(total) bytes") }
        return total
    }

    /// Decodes one complete message (exactly `frameLength` bytes); with `bodyValues`, only that many of the
    /// body's first values (a monitor reading the first argument skips the rest of a 1 KB signal).
    public static func decode(_ bytes: [UInt8], bodyValues: Int? = nil) throws(DBusError) -> DBusMessage {
        guard bytes.count >= 16 else { throw DBusError.malformed("\(bytes.count) bytes, shorter than a header") }
        var reader = DBusReader(bytes, littleEndian: try endianness(bytes[0]), offset: 1)
        let values = try reader.read(signature: "yyyuua(yv)")
        guard case .byte(let rawKind) = values[0], let kind = Kind(rawValue: rawKind) else {
            throw DBusError.malformed("message type \(values[0])")
        }
        guard case .byte(let flags) = values[1], case .byte(1) = values[2] else {
            throw DBusError.malformed("protocol version \(values[2])")
        }
        guard case .uint32(let bodyLength) = values[3], case .uint32(let serial) = values[4], serial != 0 else {
            throw DBusError.malformed("serial 0")
        }
        var message = DBusMessage(kind: kind)
        message.flags = flags
        message.serial = serial
        let signature = try message.assignFields(values[5].elements ?? [])
        try reader.align(to: 8)
        guard reader.offset + Int(bodyLength) == bytes.count else {
            throw DBusError.malformed("body length \(bodyLength) does not match the \(bytes.count)-byte frame")
        }
        message.body = try reader.read(signature: signature, limit: bodyValues)
        guard bodyValues != nil || reader.offset == bytes.count else {
            throw DBusError.malformed("body longer than its signature")
        }
        return message
    }

    /// Sets the known header fields from `a(yv)` structures and returns the body's signature.
    private mutating func assignFields(_ fields: [DBusValue]) throws(DBusError) -> String {
        var signature = ""
        for case .structure(let pair) in fields {
            guard pair.count == 2, case .byte(let code) = pair[0], case .variant(let value) = pair[1] else {
                throw DBusError.malformed("header field \(pair)")
            }
            switch (code, value) {
            case (1, .objectPath(let text)): path = text
            case (2, .string(let text)): interface = text
            case (3, .string(let text)): member = text
            case (4, .string(let text)): errorName = text
            case (5, .uint32(let number)): replySerial = number
            case (6, .string(let text)): destination = text
            case (7, .string(let text)): sender = text
            case (8, .signature(let text)): signature = text
            case (1...8, _): throw DBusError.malformed("header field \(code) of type \(value.signature)")
            default: continue  // Unknown fields must be ignored (UNIX_FDS is 9; chainbot accepts no fds).
            }
        }
        return signature
    }

    private static func endianness(_ byte: UInt8) throws(DBusError) -> Bool {
        switch byte {
        case UInt8(ascii: "l"): return true
        case UInt8(ascii: "B"): return false
        default: throw DBusError.malformed("endianness byte \(byte)")
        }
    }
}
