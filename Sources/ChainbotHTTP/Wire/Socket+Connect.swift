import ChainbotOS
import Glibc

extension Socket {
    /// Connects to `host:port`, trying each address `getaddrinfo` gives, each within `deadline`.
    ///
    /// Name resolution itself is not bounded by the deadline (it is instant for the IP literals and
    /// `localhost` that chainbot talks to).
    static func connect(host: String, port: Int, until deadline: ContinuousClock.Instant) throws(WireError) -> Socket {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            let text = gai_strerror(status).map { String(cString: $0) } ?? "error \(status)"
            throw .malformed("cannot resolve '\(host)': \(text)")
        }
        defer { freeaddrinfo(list) }
        var lastError = WireError.malformed("no address for '\(host)'")
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry {
            entry = address.pointee.ai_next
            do { return try connect(to: address.pointee, until: deadline) } catch { lastError = error }
        }
        throw lastError
    }

    private static func connect(to address: addrinfo, until deadline: ContinuousClock.Instant) throws(WireError)
        -> Socket
    {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.ai_family, type, 0)
        guard fd >= 0 else { throw .system(SystemError.current("socket")) }
        let socket = Socket(fd: fd)
        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else { throw .system(SystemError("connect", code: code)) }
            let now = ContinuousClock.now
            guard now < deadline else { throw .timedOut("connect timed out") }
            do { try socket.wait(for: Int16(POLLOUT), until: deadline, idle: deadline - now) } catch {
                if case .timedOut = error { throw .timedOut("connect timed out") }
                throw error
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure != 0 { throw .system(SystemError("connect", code: failure)) }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return socket
    }

    /// Binds a listening socket to `host:port` (port 0: the kernel picks one); returns it and the bound port.
    static func listen(host: String, port: Int, backlog: Int32) throws(SystemError) -> (Socket, Int) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw SystemError("getaddrinfo", path: host, code: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(list) }
        let address = list.pointee
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.ai_family, type, 0)
        guard fd >= 0 else { throw SystemError.current("socket") }
        let socket = Socket(fd: fd)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let place = "\(host):\(port)"
        guard bind(fd, address.ai_addr, address.ai_addrlen) == 0 else { throw SystemError.current("bind", path: place) }
        guard Glibc.listen(fd, backlog) == 0 else { throw SystemError.current("listen", path: place) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SystemError.current("getsockname") }
        // sin_port and sin6_port sit at the same offset, in network byte order.
        let boundPort = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        return (socket, boundPort)
    }

    /// Accepts one pending connection as a non-blocking socket, with the peer's address (`127.0.0.2`,
    /// `::1`; an IPv4-mapped IPv6 address as IPv4); nil when none is pending.
    func accept() throws(SystemError) -> (socket: Socket, peer: String)? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Socket.acceptNonBlocking(fd, $0, &length) }
            }
            if client >= 0 {
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return (Socket(fd: client), Socket.addressText(storage))
            }
            let code = errno
            if code == EINTR || code == ECONNABORTED { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError("accept", code: code)
        }
    }

    /// The numeric text of an IPv4 or IPv6 socket address; `unknown` for another family.
    static func addressText(_ storage: sockaddr_storage) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let rendered: UnsafePointer<CChar>? = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET {
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin_addr) {
                        inet_ntop(AF_INET, $0, &text, socklen_t(text.count))
                    }
                }
            }
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin6_addr) {
                        inet_ntop(AF_INET6, $0, &text, socklen_t(text.count))
                    }
                }
            }
            return nil
        }
        guard rendered != nil else { return "unknown" }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let mapped = "::ffff:"
        if address.hasPrefix(mapped), address.contains(".") { return String(address.dropFirst(mapped.count)) }
        return address
    }
}

extension Socket {
    private typealias Accept4 =
        @convention(c) (
            Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
        ) -> Int32

    /// glibc's `accept4`, hidden from Swift's `Glibc` module (no `_GNU_SOURCE`); looked up once.
    private static let accept4: Accept4? = {
        // A nil handle is RTLD_DEFAULT on glibc: search the global symbol table.
        guard let symbol = dlsym(nil, "accept4") else { return nil }
        return unsafeBitCast(symbol, to: Accept4.self)
    }()

    /// Accepts with the new descriptor non-blocking and close-on-exec (atomically when `accept4` exists).
    fileprivate static func acceptNonBlocking(
        _ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>
    ) -> Int32 {
        if let accept4 {
            return accept4(fd, address, length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        }
        let client = Glibc.accept(fd, address, length)
        if client >= 0 {
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        }
        return client
    }
}
