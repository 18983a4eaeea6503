import Glibc

/// One wait of a WebSocket peer (the server's connection or the client): its socket for input, and for
/// output while bytes are queued, and its waker, until a deadline. Draining the waker is the caller's.
struct WebSocketPoll {
    /// The socket has input, or hung up or failed (a read says which).
    var readable = false
    /// The waker's end has something to drain.
    var wakerReady = false

    static func wait(
        _ fd: Int32, writing: Bool, waker: WebSocketWaker?, for timeout: Duration
    ) -> WebSocketPoll {
        var events = Int16(POLLIN)
        if writing { events |= Int16(POLLOUT) }
        var entries = [pollfd(fd: fd, events: events, revents: 0)]
        if let waker { entries.append(pollfd(fd: waker.readEnd, events: Int16(POLLIN), revents: 0)) }
        guard poll(&entries, nfds_t(entries.count), max(.zero, timeout).pollMilliseconds) > 0 else {
            return WebSocketPoll()
        }
        return WebSocketPoll(
            readable: entries[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0,
            wakerReady: entries.count > 1 && entries[1].revents != 0)
    }
}
