import ChainbotOS
import Glibc
import Synchronization

/// A non-blocking TCP socket: one thread reads and writes it, any thread may shut it down.
///
/// Waits use `poll` with a deadline and an idle timeout; `shutdown()` from another thread wakes a
/// waiting reader (it then sees end of file), which is how stopping and cancelling interrupt I/O.
final class Socket: Sendable {
    let fd: Int32
    private let closed = Mutex(false)

    init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Shuts both directions down, waking any thread waiting on the socket; nothing after `close`.
    func shutdown() {
        closed.withLock { if !$0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    /// Stops sending (the peer sees end of file) while still reading.
    func shutdownWrite() {
        closed.withLock { if !$0 { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) } }
    }

    func close() {
        closed.withLock { isClosed in
            if !isClosed {
                isClosed = true
                _ = Glibc.close(fd)
            }
        }
    }

    /// Reads what is available into `buffer` (up to `count` bytes); returns 0 at end of file.
    func receive(
        into buffer: UnsafeMutableRawBufferPointer, until deadline: ContinuousClock.Instant, idle: Duration
    ) throws(WireError) -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), until: deadline, idle: idle)
                continue
            }
            if code == ECONNRESET { throw .closed }
            throw .system(SystemError("recv", code: code))
        }
    }

    /// Writes all of `bytes`, waiting while the peer's window is full.
    func send(_ bytes: [UInt8], until deadline: ContinuousClock.Instant, idle: Duration) throws(WireError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count >= 0 {
                offset += count
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                try wait(for: Int16(POLLOUT), until: deadline, idle: idle)
                continue
            }
            if code == EPIPE || code == ECONNRESET { throw .closed }
            throw .system(SystemError("send", code: code))
        }
    }

    /// Waits until the socket is ready for `events`, at most `idle` and never past `deadline`.
    func wait(for events: Int16, until deadline: ContinuousClock.Instant, idle: Duration) throws(WireError) {
        let idleEnd = ContinuousClock.now + idle
        while true {
            let now = ContinuousClock.now
            if now >= deadline { throw .timedOut("exceeded the deadline") }
            if now >= idleEnd { throw .timedOut("no data for \(idle.shortText)") }
            let end = min(deadline, idleEnd)
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, (end - now).pollMilliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .system(SystemError.current("poll")) }
        }
    }

    /// Waits up to `timeout` for the socket to become readable; false when the time ran out.
    func waitReadable(timeout: Duration) -> Bool {
        let end = ContinuousClock.now + timeout
        while true {
            let now = ContinuousClock.now
            if now >= end { return false }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, (end - now).pollMilliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }
        }
    }

    /// Whether the peer has closed its side (readable with nothing to read), checked without waiting.
    func peerHasClosed() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        if entry.revents & Int16(POLLHUP | POLLERR) != 0 { return true }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR)
    }
}
