import Glibc

/// A client connection to a D-Bus peer: the system bus (dbus-daemon) or systemd's direct socket
/// `/run/systemd/private`, used by one thread at a time. Owns its descriptor until `close()`.
public struct DBusConnection: Sendable {
    /// The socket path connected to, for error messages.
    public let path: String
    /// The connected, authenticated socket.
    public let descriptor: Int32
    /// The unique bus name from `Hello` (`:1.42`), or nil on a direct connection (no bus, no names).
    public private(set) var uniqueName: String?
    private var nextSerial: UInt32 = 1
    private var buffer: [UInt8] = []
    /// Messages that arrived while `call` waited for its reply, handed out by `receive` first.
    private var queued: [DBusMessage] = []

    /// Connects to `address` (`unix:path=…` or a path) and authenticates with SASL `EXTERNAL`.
    public init(address: String) throws(DBusError) {
        path = try DBusSocket.path(of: address)
        descriptor = try DBusSocket.open(path: path)
    }

    /// Sends `Hello` when the peer is a bus and records the unique name; a direct peer answers it with an
    /// error (it has no `org.freedesktop.DBus`), and the connection is then direct. Returns whether it is a bus.
    public mutating func helloIfBus() throws(DBusError) -> Bool {
        let hello = DBusMessage.methodCall(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
            member: "Hello")
        let reply = try exchange(hello)
        guard reply.kind == .methodReturn, case .string(let name)? = reply.body.first else { return false }
        uniqueName = name
        return true
    }

    /// Sends `message` and waits for its reply; throws `errorReply` when the peer answers with an error.
    @discardableResult
    public mutating func call(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        let reply = try exchange(message)
        guard reply.kind == .error else { return reply }
        throw DBusError.errorReply(
            call: "\(message.interface ?? "").\(message.member ?? "")", name: reply.errorName ?? "",
            message: reply.body.first?.text ?? "")
    }

    /// Sends `message` and returns its reply, method return or error, queueing what arrives before it.
    private mutating func exchange(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        let serial = try send(message)
        while true {
            for message in try receive() {
                if message.replySerial == serial, message.kind == .methodReturn || message.kind == .error {
                    return message
                }
                queued.append(message)
            }
        }
    }

    /// Sends `message` with the next serial number and returns that serial.
    @discardableResult
    public mutating func send(_ message: DBusMessage) throws(DBusError) -> UInt32 {
        let serial = nextSerial
        nextSerial = nextSerial == UInt32.max ? 1 : nextSerial + 1
        try DBusSocket.send(descriptor, try message.encoded(serial: serial), path: path)
        return serial
    }

    /// The messages queued by `call`, or else every complete message after one blocking read (at least one).
    public mutating func receive() throws(DBusError) -> [DBusMessage] {
        if !queued.isEmpty {
            defer { queued = [] }
            return queued
        }
        while true {
            var messages: [DBusMessage] = []
            var start = 0
            while let length = try DBusMessage.frameLength(buffer[start...]), buffer.count - start >= length {
                messages.append(try DBusMessage.decode(Array(buffer[start..<(start + length)])))
                start += length
            }
            buffer.removeFirst(start)
            if !messages.isEmpty { return messages }
            try DBusSocket.receive(descriptor, into: &buffer, path: path)
        }
    }

    /// Closes the descriptor; the connection is unusable afterwards.
    public func close() {
        _ = Glibc.close(descriptor)
    }
}
