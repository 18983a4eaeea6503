import Glibc

extension WebSocketClient {
    /// Writes what is queued and waits, until `deadline` at most, for the next message, pong or end;
    /// `.woken` when `waker` is woken first. Pings from the server are answered here, a quiet server is
    /// pinged, and one that takes nothing for `stallTimeout` or answers no ping is dropped.
    public func next(until deadline: ContinuousClock.Instant, waker: WebSocketWaker? = nil) -> WebSocketClientEvent {
        while true {
            if !received.isEmpty { return received.removeFirst() }
            if let ended { return ended }
            flush()
            let now = ContinuousClock.now
            if let closeDeadline, now >= closeDeadline {
                end(.closed(nil, "the server did not answer the close within \(configuration.closeTimeout)"))
                continue
            }
            checkLiveness(now)
            if ended != nil { continue }
            if now >= deadline { return .timeout }
            let wakeAt = min(deadline, closeDeadline ?? deadline, now + .seconds(1))
            switch wait(until: wakeAt, waker: waker) {
            case .readable: read()
            case .woken: return .woken
            case .timeout: break
            }
        }
    }

    private func checkLiveness(_ now: ContinuousClock.Instant) {
        if queuedBytes > 0 && now - lastWriteProgress > configuration.stallTimeout {
            return end(.closed(nil, "the server took nothing for \(configuration.stallTimeout)"))
        }
        if let keepAliveSentAt {
            if now - keepAliveSentAt > configuration.pongTimeout {
                end(.closed(nil, "the server answered no ping within \(configuration.pongTimeout)"))
            }
        } else if !isClosing && now - lastReceived >= configuration.pingInterval {
            enqueue(WebSocketFrame(opcode: .ping, payload: Array("keep-alive".utf8)))
            keepAliveSentAt = now
        }
    }

    private enum Wait { case readable, woken, timeout }

    private func wait(until deadline: ContinuousClock.Instant, waker: WebSocketWaker?) -> Wait {
        let seen = WebSocketPoll.wait(socket.fd, writing: queuedBytes > 0, waker: waker, for: deadline - .now)
        if let waker, seen.wakerReady, waker.drain() { return .woken }
        return seen.readable ? .readable : .timeout
    }

    /// Reads what the socket has and decodes every whole frame in it.
    private func read() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            return end(.closed(nil, "the connection broke (recv failed)"))
        }
        if count == 0 { return end(.closed(nil, "the server ended the connection without a close frame")) }
        decoder.append(buffer[..<count])
        lastReceived = .now
        keepAliveSentAt = nil
        do throws(WebSocketProtocolError) {
            while ended == nil, let frame = try decoder.next() {
                if let message = try assembler.take(frame) { handle(message) }
            }
        } catch {
            // The server broke the protocol: say why in our close frame, then end without waiting.
            if !isClosing { enqueue(.close(error.code, reason: error.reason)) }
            flush()
            end(.closed(error.code, "the server broke the protocol: \(error.reason)"))
        }
    }

    private func handle(_ message: WebSocketMessage) {
        switch message {
        case .text(let text):
            if !isClosing { received.append(.text(text)) }
        case .binary:
            if !isClosing { close(.unsupportedData, reason: "only text messages are read") }
        case .ping(let payload):
            enqueue(WebSocketFrame(opcode: .pong, payload: payload))
        case .pong(let payload):
            received.append(.pong(payload))
        case .close(let code, let reason):
            // Answer the server's close with its code (§5.5.1), then the TCP connection ends.
            if !isClosing {
                enqueue(code.map { .close($0) } ?? WebSocketFrame(opcode: .close))
                isClosing = true
            }
            flush()
            socket.shutdownWrite()
            end(.closed(code, reason))
        }
    }

    /// Writes as much of the queue as the socket takes now.
    func flush() {
        while queuedBytes > 0 && ended == nil {
            let start = outgoingStart
            let count = outgoing.withUnsafeBytes { buffer in
                Glibc.send(socket.fd, buffer.baseAddress.map { $0 + start }, buffer.count - start, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                outgoingStart += count
                lastWriteProgress = .now
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            return end(.closed(nil, "the connection broke (send failed)"))
        }
        if queuedBytes == 0 {
            outgoing.removeAll(keepingCapacity: true)
            outgoingStart = 0
        }
    }
}
