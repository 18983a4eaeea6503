import ChainbotOS
import Glibc
import Synchronization

/// A TCP socket listening on 127.0.0.1 on a port the kernel picks.
public final class TCPTestListener: Sendable {
    public let port: Int
    private let fd = Mutex<Int32>(-1)

    public init(backlog: Int32 = 8) throws {
        let (socket, port) = try LoopbackTCPSocket.bound(listening: backlog)
        self.port = port
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
