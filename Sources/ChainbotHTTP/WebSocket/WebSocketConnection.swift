import Glibc

/// The server's side of one WebSocket connection after the handshake, run on the connection's thread:
/// it reads and unmasks frames, answers pings and the close handshake, keeps the connection alive with
/// pings, and writes what the session sends through a bounded queue without ever blocking on the peer.
///
/// A peer that breaks the protocol gets a close frame with the fitting code (1002, 1007, 1009) and is
/// disconnected; one that stops reading (queue past `maxQueuedBytes`, or nothing taken for
/// `stallTimeout`) or stops answering pings is dropped without one.
public final class WebSocketConnection {
    let socket: Socket
    let configuration: WebSocketConfiguration
    private let isStopping: @Sendable () -> Bool
    private var decoder: WebSocketFrameDecoder
    private var assembler: WebSocketMessageAssembler
    /// Encoded frames waiting for the socket: `outgoing[outgoingStart...]`.
    private var outgoing: [UInt8] = []
    private var outgoingStart = 0
    private var lastWriteProgress = ContinuousClock.now
    private var lastReceived = ContinuousClock.now
    private var pingSentAt: ContinuousClock.Instant?
    private var closeDeadline: ContinuousClock.Instant?
    private var closeReceived = false
    /// Why the connection ends without (more of) the close handshake; nil while it goes on.
    private(set) var dropReason: String?

    /// Whether our close frame is queued: no data message is sent after it.
    public private(set) var isClosing = false

    init(_ upgraded: UpgradedConnection, configuration: WebSocketConfiguration) {
        socket = upgraded.socket
        self.configuration = configuration
        isStopping = upgraded.isStopping
        decoder = WebSocketFrameDecoder(maxFrameBytes: configuration.maxMessageBytes)
        assembler = WebSocketMessageAssembler(maxMessageBytes: configuration.maxMessageBytes)
        decoder.append(upgraded.leftover)
    }

    /// Outgoing bytes the peer has not taken yet.
    public var queuedBytes: Int { outgoing.count - outgoingStart }

    /// Whether a message sent now is taken: not closing, and the queue below its high-water mark.
    public var canSend: Bool { !isClosing && dropReason == nil && queuedBytes < configuration.highWaterBytes }

    /// Queues a text message (ignored once closing).
    public func send(text: String) {
        guard !isClosing else { return }
        enqueue(WebSocketFrame(opcode: .text, payload: Array(text.utf8)))
    }

    /// Begins the close handshake with `code`: nothing more is sent, and the connection ends when the
    /// peer answers with its close frame or after `closeTimeout`.
    public func close(_ code: WebSocketCloseCode, reason: String = "") {
        guard !isClosing else { return }
        enqueue(.close(code, reason: reason))
        isClosing = true
        closeDeadline = .now + configuration.closeTimeout
    }

    private func enqueue(_ frame: WebSocketFrame) {
        guard dropReason == nil else { return }
        if queuedBytes == 0 { lastWriteProgress = .now }
        if outgoingStart > 0 && outgoingStart >= outgoing.count / 2 {
            outgoing.removeFirst(outgoingStart)
            outgoingStart = 0
        }
        outgoing += frame.encoded()
        if queuedBytes > configuration.maxQueuedBytes { drop("the peer reads too slowly (queue full)") }
    }

    /// Queues a control frame (a pong, a bare close) past `isClosing`'s gate.
    func sendControl(_ frame: WebSocketFrame) { enqueue(frame) }

    func markClosing() {
        isClosing = true
        closeDeadline = closeDeadline ?? .now + configuration.closeTimeout
    }

    func markCloseReceived() { closeReceived = true }

    func appendReceived(_ bytes: ArraySlice<UInt8>) {
        decoder.append(bytes)
        lastReceived = .now
        pingSentAt = nil
    }

    /// The next whole message received, nil until one is complete.
    func nextMessage() throws(WebSocketProtocolError) -> WebSocketMessage? {
        while let frame = try decoder.next() {
            if let message = try assembler.take(frame) { return message }
        }
        return nil
    }

    /// Ends the connection at once, without a close frame (what a crash or a broken network looks like).
    public func abort() { drop("the session aborted the connection") }

    func drop(_ reason: String) {
        if dropReason == nil { dropReason = reason }
    }

    /// Runs the connection with `session` until it ends.
    func run(_ session: any WebSocketSession) {
        session.opened(self)
        receiveBuffered(session)
        var nextTick = ContinuousClock.now + configuration.tickInterval
        while dropReason == nil {
            if !isClosing && isStopping() { close(.goingAway, reason: "the server is stopping") }
            flush()
            if closeReceived && isClosing && queuedBytes == 0 { return }
            let now = ContinuousClock.now
            if let closeDeadline, now >= closeDeadline { return }
            checkLiveness(now)
            if now >= nextTick {
                if !isClosing { session.tick(self) }
                nextTick = now + configuration.tickInterval
                continue
            }
            guard dropReason == nil else { return }
            switch wait(until: min(nextTick, closeDeadline ?? nextTick), waker: session.waker) {
            case .readable: read(session)
            case .woken: nextTick = .now
            case .timeout: break
            }
        }
    }

    /// Drops a peer that takes none of the queued bytes for `stallTimeout`, or answers no ping; pings
    /// one that was quiet for `pingInterval`.
    private func checkLiveness(_ now: ContinuousClock.Instant) {
        if queuedBytes > 0 && now - lastWriteProgress > configuration.stallTimeout {
            drop("the peer took nothing for \(configuration.stallTimeout)")
        }
        if let pingSentAt {
            if now - pingSentAt > configuration.pongTimeout { drop("no pong within \(configuration.pongTimeout)") }
        } else if !isClosing && now - lastReceived >= configuration.pingInterval {
            enqueue(WebSocketFrame(opcode: .ping, payload: Array("chainbot".utf8)))
            pingSentAt = now
        }
    }

    private enum Wait { case readable, woken, timeout }

    /// Waits until the socket is readable, `waker` is woken, the socket can take queued bytes, or
    /// `deadline` (at most 1 s, so a stopping server is noticed).
    private func wait(until deadline: ContinuousClock.Instant, waker: WebSocketWaker?) -> Wait {
        let seen = WebSocketPoll.wait(
            socket.fd, writing: queuedBytes > 0, waker: waker, for: min(deadline - .now, .seconds(1)))
        if seen.readable { return .readable }
        if let waker, seen.wakerReady, waker.drain() { return .woken }
        return .timeout
    }

    /// Writes as much of the queue as the socket takes now.
    private func flush() {
        while queuedBytes > 0 {
            let start = outgoingStart
            let count = outgoing.withUnsafeBytes { buffer in
                Glibc.send(socket.fd, buffer.baseAddress.map { $0 + start }, buffer.count - start, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                outgoingStart += count
                lastWriteProgress = .now
                continue
            }
            if count < 0 && (errno == EINTR) { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            return drop("the peer is gone (send failed)")
        }
        outgoing.removeAll(keepingCapacity: true)
        outgoingStart = 0
    }
}
