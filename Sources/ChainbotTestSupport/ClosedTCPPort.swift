import ChainbotOS
import Glibc
import Synchronization

/// A loopback TCP port that stays closed while this lives: a socket is bound to it without listening and
/// without `SO_REUSEADDR`, so a connect to it is refused (`ECONNREFUSED`), no other test's listener can
/// take it, and the kernel never picks it as a connection's source port.
///
/// A listener's port after `close()` is not that: the port is free again, for the next bind in a
/// parallel test or for a self-connect.
public final class ClosedTCPPort: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw SystemError.current("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else {
            let failure = SystemError.current("bind", path: "127.0.0.1:0")
            Glibc.close(socket)
            throw failure
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        fd = socket
    }

    deinit { Glibc.close(fd) }
}
