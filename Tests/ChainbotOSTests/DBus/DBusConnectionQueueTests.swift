import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// `DBusConnection.call` against a peer that sends a signal before the reply and another with it in one
/// write (systemd's direct socket sends every unit signal to every connection): the call returns
/// the reply, and `receive` hands out both signals once, in order. Reading through the queue it fills, a
/// call used to spin for ever on the first signal.
@Suite struct DBusConnectionQueueTests {
    @Test func aCallReturnsItsReplyAndKeepsTheSignalsAroundItForReceive() async throws {
        let path = "/tmp/chainbot-dbus-queue-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let listener = try Self.listen(at: path)
        defer {
            close(listener)
            unlink(path)
        }
        try DetachedThread.start { Self.serve(listener) }

        let outcome = Mutex<Result<(DBusMessage, [DBusMessage]), DBusError>?>(nil)
        try DetachedThread.start {
            let result = Result { () throws(DBusError) in
                var connection = try DBusConnection(address: path)
                defer { connection.close() }
                try connection.setReceiveTimeout(seconds: 60)
                let reply = try connection.call(
                    .methodCall(destination: nil, path: "/p", interface: "i.f", member: "M"))
                return (reply, try connection.receive())
            }
            outcome.withLock { $0 = result }
        }
        let done = try await Poll.within(.seconds(120)) { outcome.withLock { $0 != nil } }
        try #require(done, "the call did not return within 120 s")
        let (reply, later) = try #require(try outcome.withLock { $0 }?.get())
        #expect(reply.kind == .methodReturn)
        #expect(reply.body == [.string("answer")])
        #expect(later.map(\.member) == ["Before", "After"])
    }

    static func listen(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && Glibc.listen(fd, 1) == 0, "bind/listen \(path): errno \(errno)")
        return fd
    }

    /// The peer: the SASL handshake, one call read, then a signal, the reply and a signal in one write.
    static func serve(_ listener: Int32) {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var input: [UInt8] = []
        func readMore() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { return false }
            input += chunk[0..<count]
            return true
        }
        let begin = Array("BEGIN\r\n".utf8)
        while !String(decoding: input, as: UTF8.self).contains(String(decoding: begin, as: UTF8.self)) {
            guard readMore() else { return }
        }
        input.removeAll()
        _ = Array("OK 0123456789abcdef0123456789abcdef\r\n".utf8).withUnsafeBytes {
            write(fd, $0.baseAddress, $0.count)
        }
        while (try? DBusMessage.frameLength(input[...])).flatMap({ $0 }).map({ input.count < $0 }) ?? true {
            guard readMore() else { return }
        }
        guard let call = try? DBusMessage.decode(input) else { return }
        var reply = DBusMessage(kind: .methodReturn)
        reply.replySerial = call.serial
        reply.body = [.string("answer")]
        let messages = [
            DBusMessage(kind: .signal, path: "/s", interface: "i.s", member: "Before"), reply,
            DBusMessage(kind: .signal, path: "/s", interface: "i.s", member: "After"),
        ]
        guard let encoded = try? messages.enumerated().map({ try $1.encoded(serial: UInt32($0 + 1)) }) else { return }
        // The first signal on its own (the client most likely reads it alone), then the reply and the
        // second signal in one write: both ways a call once lost or looped on what it queued.
        _ = encoded[0].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        usleep(50_000)
        let rest = encoded[1] + encoded[2]
        _ = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // Stay open until the client is done (it closes first).
        while readMore() {}
    }
}
