/// One D-Bus message: its type, the header fields chainbot uses and the body's values.
public struct DBusMessage: Sendable, Hashable {
    /// The message type, the header's second byte.
    public enum Kind: UInt8, Sendable {
        case methodCall = 1
        case methodReturn = 2
        case error = 3
        case signal = 4
    }

    public var kind: Kind
    /// Header flag bits (0x1 no reply expected, 0x2 no auto-start).
    public var flags: UInt8 = 0
    /// The sender's serial number for this message, never 0.
    public var serial: UInt32 = 0
    public var path: String?
    public var interface: String?
    public var member: String?
    public var errorName: String?
    public var replySerial: UInt32?
    public var destination: String?
    public var sender: String?
    public var body: [DBusValue] = []

    public init(kind: Kind, path: String? = nil, interface: String? = nil, member: String? = nil) {
        self.kind = kind
        self.path = path
        self.interface = interface
        self.member = member
    }

    /// A method call to `destination` (nil on a direct connection to systemd, which has no bus names).
    public static func methodCall(
        destination: String?, path: String, interface: String, member: String, body: [DBusValue] = []
    ) -> DBusMessage {
        var message = DBusMessage(kind: .methodCall, path: path, interface: interface, member: member)
        message.destination = destination
        message.body = body
        return message
    }

    /// The body's signature, as the SIGNATURE header field carries it.
    public var bodySignature: String { body.map(\.signature).joined() }

    /// The header fields as `a(yv)` structures, in code order.
    var headerFields: [DBusValue] {
        var fields: [(UInt8, DBusValue)] = []
        if let path { fields.append((1, .objectPath(path))) }
        if let interface { fields.append((2, .string(interface))) }
        if let member { fields.append((3, .string(member))) }
        if let errorName { fields.append((4, .string(errorName))) }
        if let replySerial { fields.append((5, .uint32(replySerial))) }
        if let destination { fields.append((6, .string(destination))) }
        if let sender { fields.append((7, .string(sender))) }
        if !body.isEmpty { fields.append((8, .signature(bodySignature))) }
        return fields.map { .structure([.byte($0.0), .variant($0.1)]) }
    }

    /// The message in the wire format, little-endian, with `serial` as its serial number.
    public func encoded(serial: UInt32) throws(DBusError) -> [UInt8] {
        var bodyWriter = DBusWriter()
        try bodyWriter.write(body)
        var writer = DBusWriter()
        try writer.write([.byte(UInt8(ascii: "l")), .byte(kind.rawValue), .byte(flags), .byte(1)])
        writer.writeInteger(UInt32(bodyWriter.bytes.count))
        writer.writeInteger(serial)
        try writer.write(.array(elementSignature: "(yv)", headerFields))
        writer.pad(to: 8)
        return writer.bytes + bodyWriter.bytes
    }
}
