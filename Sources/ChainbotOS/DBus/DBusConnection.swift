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
    /// How many of each received message's first body values `receive` decodes; nil for all of them.
    public var bodyValues: Int?
    private var nextSerial: UInt32 = 1
    private var buffer: [UInt8] = []
    /// Messages that arrived while `call` waited for its reply, handed out by `receive` first.
    private var queued: [DBusMessage] = []

    /// Connects to `address` (`unix:path=…` or a path) and authenticates with SASL `EXTERNAL`; reads time
    /// out after 25 s until `setReceiveTimeout` says otherwise.
    public init(address: String) throws(DBusError) {
        path = try DBusSocket.path(of: address)
        descriptor = try DBusSocket.open(path: path)
    }

    /// Sends `Hello`, which a bus requires first, and records the unique name it assigns.
    ///
    /// Not for a direct connection to systemd: it has no `org.freedesktop.DBus`, and in the testbed it left
    /// one `Hello` in five unanswered.
    public mutating func hello() throws(DBusError) {
        let reply = try call(
            .methodCall(
                destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                interface: "org.freedesktop.DBus", member: "Hello"))
        guard case .string(let name)? = reply.body.first else {
            throw DBusError.malformed("Hello reply of signature '\(reply.bodySignature)'")
        }
        uniqueName = name
    }

    /// Makes a read that waits longer than `seconds` throw `timedOut` (0: wait for ever).
    public func setReceiveTimeout(seconds: Int) throws(DBusError) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, size) == 0 else {
            throw DBusError.system(.current("setsockopt SO_RCVTIMEO", path: path))
        }
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

    /// Sends `message` and returns its reply, method return or error, queueing everything else that
    /// arrives with it (before the reply or after it in the same read), for `receive`.
    ///
    /// It reads the socket only: reading through `receive` handed it the queue it had just filled, again
    /// and again, so a signal that came before a reply made it spin for ever (an agent's unit monitor at
    /// start, a settle watch during a crash loop).
    private mutating func exchange(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        let serial = try send(message)
        while true {
            var reply: DBusMessage?
            for message in try fromSocket(until: nil) {
                if reply == nil, message.replySerial == serial, message.kind == .methodReturn || message.kind == .error
                {
                    reply = message
                } else {
                    queued.append(message)
                }
            }
            if let reply { return reply }
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

    /// Sends `messages` in one write, with consecutive serials, and returns their serials in order: the
    /// peer reads them in one go and answers while this side waits once, where one write per message
    /// woke it for each.
    public mutating func send(all messages: [DBusMessage]) throws(DBusError) -> [UInt32] {
        var bytes: [UInt8] = []
        var serials: [UInt32] = []
        serials.reserveCapacity(messages.count)
        for message in messages {
            let serial = nextSerial
            nextSerial = nextSerial == UInt32.max ? 1 : nextSerial + 1
            bytes += try message.encoded(serial: serial)
            serials.append(serial)
        }
        try DBusSocket.send(descriptor, bytes, path: path)
        return serials
    }

    /// The messages queued by `call`, or else every complete message after one blocking read (at least one).
    public mutating func receive() throws(DBusError) -> [DBusMessage] {
        while true {
            let messages = try received(waitingAtMost: nil)
            if !messages.isEmpty { return messages }
        }
    }

    /// As `receive`, but waits at most `limit` for the socket to have something: none when nothing came.
    public mutating func receive(waitingAtMost limit: Duration) throws(DBusError) -> [DBusMessage] {
        try received(waitingAtMost: max(limit, .zero))
    }

    private mutating func received(waitingAtMost limit: Duration?) throws(DBusError) -> [DBusMessage] {
        if !queued.isEmpty {
            defer { queued = [] }
            return queued
        }
        return try fromSocket(until: limit.map { ContinuousClock.now + $0 })
    }

    /// The complete messages in the buffer, or else those after reading the socket (waiting at most until
    /// `deadline`: none when nothing came by then); never the queue.
    private mutating func fromSocket(until deadline: ContinuousClock.Instant?) throws(DBusError) -> [DBusMessage] {
        while true {
            var messages: [DBusMessage] = []
            var start = 0
            while let length = try DBusMessage.frameLength(buffer[start...]), buffer.count - start >= length {
                messages.append(try DBusMessage.decode(Array(buffer[start..<(start + length)]), bodyValues: bodyValues))
                start += length
            }
            buffer.removeFirst(start)
            if !messages.isEmpty { return messages }
            if let deadline, !(try DBusSocket.waitReadable(descriptor, until: deadline, path: path)) { return [] }
            try DBusSocket.receive(descriptor, into: &buffer, path: path)
        }
    }

    /// Closes the descriptor; the connection is unusable afterwards.
    public func close() {
        _ = Glibc.close(descriptor)
    }
}
