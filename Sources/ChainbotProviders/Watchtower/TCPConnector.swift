import ChainbotCore
import Glibc

/// Opens a TCP connection to see whether something listens: the seam for `tcp` probes.
public protocol TCPConnector: Sendable {
    /// Connects to `host:port` and closes again; nil when it connected, else why not in a few words
    /// (`refused`, `timed out after 2s`, `No route to host`).
    func connect(host: String, port: Int, timeout: Duration) async -> String?
}

/// Connects with a non-blocking socket and `poll`, a few milliseconds at a time so that a probe never
/// holds one of Swift's cooperative threads for long; bounded by `timeout`.
public struct SocketConnector: TCPConnector {
    public init() {}

    public func connect(host: String, port: Int, timeout: Duration) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return "cannot resolve '\(host)': "
                + (gai_strerror(status).map { String(cString: $0) } ?? "error \(status)")
        }
        defer { freeaddrinfo(list) }
        var failure = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            guard let problem = await attempt(address.pointee, until: deadline, timeout: timeout) else { return nil }
            failure = problem
        }
        return failure
    }

    private func attempt(_ address: addrinfo, until deadline: ContinuousClock.Instant, timeout: Duration) async
        -> String?
    {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(address.ai_family, type, 0)
        guard fd >= 0 else { return Self.describe(errno) }
        defer { close(fd) }
        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS || errno == EINTR else { return Self.describe(errno) }
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, !Task.isCancelled else {
                return "timed out after " + DurationText.format(timeout)
            }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let slice = Int32(min(remaining, .milliseconds(20)).components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&poller, 1, max(1, slice))
            if ready > 0 { break }
            if ready < 0, errno != EINTR { return Self.describe(errno) }
            await Task.yield()
        }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return Self.describe(errno) }
        return code == 0 ? nil : Self.describe(code)
    }

    private static func describe(_ code: Int32) -> String {
        if code == ECONNREFUSED { return "refused" }
        if code == ETIMEDOUT { return "timed out" }
        return strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
