import Glibc

/// Wakes a WebSocket connection's thread from another thread (a pipe it polls beside its socket), so a
/// session can be told "something is new" at once instead of finding out on its next tick.
public final class WebSocketWaker: Sendable {
    let readEnd: Int32
    private let writeEnd: Int32

    /// A waker; nil when no pipe could be made (out of descriptors): the session's ticks still run.
    public init?() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Makes the connection call its session's `tick` now (a full pipe already says so).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Blocks the calling thread (never a cooperative one) until woken or `deadline`; true when woken.
    public func wait(until deadline: ContinuousClock.Instant) -> Bool {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, max(.zero, min(deadline - .now, .seconds(1))).pollMilliseconds)
        return drain()
    }

    /// Empties the pipe; true when it held a wake-up.
    func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64)
        var woken = false
        while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 { woken = true }
        return woken
    }
}
