import ChainbotOS
import Glibc
import Synchronization

/// A TCP socket listening on 127.0.0.1 on a port the kernel picks.
public final class TCPTestListener: Sendable {
    public let port: Int
    private let fd = Mutex<Int32>(-1)

    public init(backlog: Int32 = 8) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, backlog) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard socket >= 0, bound else { throw SystemError.current("listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        fd.withLock { $0 = socket }
    }

    public func close() {
        fd.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    deinit { close() }
}
