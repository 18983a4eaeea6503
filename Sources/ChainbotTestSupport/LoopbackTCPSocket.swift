import ChainbotOS
import Glibc

/// A TCP socket on 127.0.0.1 at a port the kernel picks, for `TCPTestListener` (listening) and
/// `ClosedTCPPort` (bound only).
enum LoopbackTCPSocket {
    /// The descriptor and its port; listening with `backlog` when given. Throws naming the call that failed,
    /// with the descriptor closed.
    static func bound(listening backlog: Int32?) throws(SystemError) -> (fd: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw SystemError.current("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let failed: String? = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                if bind(socket, $0, length) != 0 { return "bind" }
                if let backlog, listen(socket, backlog) != 0 { return "listen" }
                return getsockname(socket, $0, &length) == 0 ? nil : "getsockname"
            }
        }
        if let failed {
            let failure = SystemError.current(failed, path: "127.0.0.1:0")
            Glibc.close(socket)
            throw failure
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }
}
