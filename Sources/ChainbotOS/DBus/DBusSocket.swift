import Glibc

/// The byte stream under a D-Bus connection: a Unix stream socket, the SASL `EXTERNAL` handshake
/// (authenticated by the kernel's peer credentials, no cookie or password), and blocking send and read.
enum DBusSocket {
    /// The socket path in `address`: `unix:path=PATH[,guid=…]` or a bare absolute path.
    static func path(of address: String) throws(DBusError) -> String {
        if address.hasPrefix("/") { return address }
        guard address.hasPrefix("unix:") else { throw DBusError.badAddress(address) }
        for pair in address.dropFirst(5).split(separator: ",") where pair.hasPrefix("path=") {
            return String(pair.dropFirst(5))
        }
        throw DBusError.badAddress(address)
    }

    /// Seconds each read may wait until the caller changes it (`DBusConnection.setReceiveTimeout`).
    static let setupTimeout = 25

    /// Connects to the socket at `path` and authenticates as this process's effective uid.
    static func open(path: String) throws(DBusError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DBusError.system(.current("socket")) }
        do throws(DBusError) {
            try connect(fd, path: path)
            var limit = timeval(tv_sec: setupTimeout, tv_usec: 0)
            // A peer that never answers the handshake: a timeout, not a hang (SystemdUnitMonitor clears it).
            guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw DBusError.system(.current("setsockopt SO_RCVTIMEO", path: path))
            }
            try authenticate(fd, path: path)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func connect(_ fd: Int32, path: String) throws(DBusError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw DBusError.system(SystemError("connect", path: path, code: ENAMETOOLONG))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard result == 0 else { throw DBusError.system(.current("connect", path: path)) }
    }

    /// Sends the NUL credentials byte, `AUTH EXTERNAL <uid in hex>` and `BEGIN` at once, and expects `OK <guid>`.
    ///
    /// `BEGIN` goes with `AUTH`, as sd-bus's own client sends it: systemd's server left a first message that
    /// arrived in the same read as a late `BEGIN` unanswered (in the testbed, through a relay, 8 times in 12).
    private static func authenticate(_ fd: Int32, path: String) throws(DBusError) {
        let uid = String(geteuid())
        let hexUID = uid.utf8.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
        try send(fd, [0] + Array("AUTH EXTERNAL \(hexUID)\r\nBEGIN\r\n".utf8), path: path)
        let reply = try readLine(fd, path: path)
        guard reply.hasPrefix("OK ") else { throw DBusError.authenticationRejected(address: path, reply: reply) }
    }

    /// One `\r\n`-ended line of the handshake, read a byte at a time so nothing after it is consumed.
    private static func readLine(_ fd: Int32, path: String) throws(DBusError) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 4096 {
            let count = read(fd, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw DBusError.timedOut(address: path) }
            if count < 0 { throw DBusError.system(.current("read", path: path)) }
            if count == 0 { throw DBusError.closed(address: path) }
            if byte == UInt8(ascii: "\n"), line.last == UInt8(ascii: "\r") {
                return String(decoding: line.dropLast(), as: UTF8.self)
            }
            line.append(byte)
        }
        throw DBusError.authenticationRejected(address: path, reply: "a line longer than 4096 bytes")
    }

    /// Writes all of `bytes`, retrying short writes and EINTR; never raises SIGPIPE.
    static func send(_ fd: Int32, _ bytes: [UInt8], path: String) throws(DBusError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw DBusError.system(.current("send", path: path)) }
            offset += count
        }
    }

    /// Whether `fd` has something to read (or its end) before `deadline`; false when the time ran out.
    static func waitReadable(_ fd: Int32, until deadline: ContinuousClock.Instant, path: String) throws(DBusError)
        -> Bool
    {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, left.pollMilliseconds)
            if ready > 0 { return true }
            if ready == 0, left <= .zero { return false }
            if ready < 0, errno != EINTR { throw DBusError.system(.current("poll", path: path)) }
        }
    }

    /// Appends what one `read` returns to `buffer`; throws `closed` at end of stream.
    static func receive(_ fd: Int32, into buffer: inout [UInt8], path: String) throws(DBusError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw DBusError.timedOut(address: path) }
            if count < 0 { throw DBusError.system(.current("read", path: path)) }
            if count == 0 { throw DBusError.closed(address: path) }
            buffer.append(contentsOf: chunk[0..<count])
            return
        }
    }
}
