import Glibc

/// A real socket this test process owns, closed when released: a TCP listener or a UDP socket on an
/// ephemeral port, or a connected TCP or UDP client.
final class TestSocket {
    let fd: Int32
    /// The local port the kernel chose, in host order.
    let port: Int

    private init?(fd: Int32) {
        guard fd >= 0 else { return nil }
        self.fd = fd
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            return nil
        }
        // sin_port and sin6_port sit at the same offset, in network order.
        port = Int(
            withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) })
    }

    deinit {
        close(fd)
    }

    /// A TCP listener on `address` (IPv4 or IPv6 text) at an ephemeral port; IPv6 sockets are dual-stack.
    static func tcpListener(_ address: String) -> TestSocket? {
        guard let socket = bound(address, type: SOCK_STREAM) else { return nil }
        return listen(socket.fd, 8) == 0 ? socket : nil
    }

    /// An unconnected UDP socket bound to `address` at an ephemeral port.
    static func udp(_ address: String) -> TestSocket? { bound(address, type: SOCK_DGRAM) }

    /// A TCP connection from 127.0.0.1 to `port` (an established socket, not a listener).
    static func tcpClient(to port: Int) -> TestSocket? { connected(to: port, type: SOCK_STREAM) }

    /// A UDP socket connected to 127.0.0.1:`port` (state ESTABLISHED, not a listener).
    static func udpClient(to port: Int) -> TestSocket? { connected(to: port, type: SOCK_DGRAM) }

    private static func bound(_ address: String, type: __socket_type) -> TestSocket? {
        let isIPv6 = address.contains(":")
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var zero: Int32 = 0
        if isIPv6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size)) }
        let result = isIPv6 ? bindIPv6(fd, address) : bindIPv4(fd, address)
        guard result == 0 else {
            close(fd)
            return nil
        }
        return TestSocket(fd: fd)
    }

    private static func connected(to port: Int, type: __socket_type) -> TestSocket? {
        let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var peer = ipv4("127.0.0.1", port: port)
        let result = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return TestSocket(fd: fd)
    }

    private static func ipv4(_ address: String, port: Int) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, address, &socketAddress.sin_addr)
        return socketAddress
    }

    private static func bindIPv4(_ fd: Int32, _ address: String) -> Int32 {
        var socketAddress = ipv4(address, port: 0)
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    private static func bindIPv6(_ fd: Int32, _ address: String) -> Int32 {
        var socketAddress = sockaddr_in6()
        socketAddress.sin6_family = sa_family_t(AF_INET6)
        guard inet_pton(AF_INET6, address, &socketAddress.sin6_addr) == 1 else { return -1 }
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }
}
