import ChainbotOS
import Glibc

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
        (fd, port) = try LoopbackTCPSocket.bound(listening: nil)
    }

    deinit { Glibc.close(fd) }
}
