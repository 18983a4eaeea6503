public import ChainbotCore

/// A process holding a listening socket: the thread-group leader whose `/proc/PID/fd` links to it.
public struct ListenerOwner: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var pid: Int32
    /// `/proc/PID/comm`: the executable name, cut by the kernel to 15 bytes (`python3`, `sshd`).
    public var command: String
    /// The systemd unit the process runs in (`chainbot.service`), from `/proc/PID/cgroup`; nil outside a service.
    public var unit: String?

    public init(pid: Int32, command: String, unit: String? = nil) {
        self.pid = pid
        self.command = command
        self.unit = unit
    }

    /// `python3 (pid 412, unit other.service)`, or `python3 (pid 412)` outside a service.
    public var description: String {
        unit.map { "\(command) (pid \(pid), unit \($0))" } ?? "\(command) (pid \(pid))"
    }

    /// Orders by pid, then command and unit, so equal pids still sort the same way every time.
    public static func < (lhs: ListenerOwner, rhs: ListenerOwner) -> Bool {
        (lhs.pid, lhs.command, lhs.unit ?? "") < (rhs.pid, rhs.command, rhs.unit ?? "")
    }
}

/// A socket that accepts traffic on a local port: a TCP socket in `LISTEN`, or an unconnected UDP socket
/// bound to a port.
public struct Listener: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var networkProtocol: NetworkProtocol
    /// The local address, normalized: `0.0.0.0`, `::`, `127.0.0.1`, `::1`, `2001:db8::5`; an IPv4-mapped IPv6
    /// address (`::ffff:1.2.3.4`) is shown as the IPv4 address it stands for.
    public var address: String
    public var port: Int
    /// The socket's inode from `/proc/net/*` (0 for a socket no file refers to, such as a kernel one).
    public var inode: UInt64
    /// The processes whose descriptors refer to the socket, sorted by pid; several after a fork (nginx's
    /// master and workers), none when no readable process holds it.
    public var owners: [ListenerOwner]
    /// False when some process's descriptors could not be read (another user's, without root), so the
    /// socket may have owners that `owners` does not list.
    public var ownersComplete: Bool
    /// When `ownersComplete` is false, the /proc read that failed first and how many processes could not be
    /// read: `opendir /proc/731/fd: Permission denied (1 process unreadable)`.
    public var ownersUnreadable: String?

    public init(
        networkProtocol: NetworkProtocol, address: String, port: Int, inode: UInt64,
        owners: [ListenerOwner] = [], ownersComplete: Bool = true, ownersUnreadable: String? = nil
    ) {
        self.networkProtocol = networkProtocol
        self.address = address
        self.port = port
        self.inode = inode
        self.owners = owners
        self.ownersComplete = ownersComplete
        self.ownersUnreadable = ownersUnreadable
    }

    /// `127.0.0.1:9000`, or `[::1]:9000` for an IPv6 address.
    public var endpoint: String { ListenerAddress.endpoint(address, port: port) }

    /// `127.0.0.1:9000/tcp`.
    public var description: String { "\(endpoint)/\(networkProtocol.rawValue)" }

    /// Orders by protocol, port, IPv4 before IPv6, address text, then inode.
    public static func < (lhs: Listener, rhs: Listener) -> Bool {
        let left = (lhs.networkProtocol.rawValue, lhs.port, lhs.address.contains(":") ? 1 : 0, lhs.address, lhs.inode)
        let right = (rhs.networkProtocol.rawValue, rhs.port, rhs.address.contains(":") ? 1 : 0, rhs.address, rhs.inode)
        return left < right
    }
}
