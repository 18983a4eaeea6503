import Glibc

extension WebSocketConnection {
    /// Reads what the socket has and handles every whole frame in it; the peer closing the TCP
    /// connection ends this one.
    func read(_ session: any WebSocketSession) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            return drop("the peer is gone (recv failed)")
        }
        if count == 0 { return drop("the peer closed the connection") }
        appendReceived(buffer[..<count])
        receiveBuffered(session)
    }

    /// Handles the whole frames received so far; a broken rule closes with its code and stops reading.
    func receiveBuffered(_ session: any WebSocketSession) {
        do throws(WebSocketProtocolError) {
            while dropReason == nil, let message = try nextMessage() {
                handle(message, session)
            }
        } catch {
            close(error.code, reason: error.reason)
            // Nothing the peer sends after a protocol error is read: end once our close frame is out.
            markCloseReceived()
        }
    }

    private func handle(_ message: WebSocketMessage, _ session: any WebSocketSession) {
        switch message {
        case .text(let text):
            if !isClosing { session.received(text, on: self) }
        case .binary:
            close(.unsupportedData, reason: "only text messages are read")
        case .ping(let payload):
            if !isClosing { sendControl(WebSocketFrame(opcode: .pong, payload: payload)) }
        case .pong:
            break
        case .close(let code, _):
            // Echo the peer's code (§5.5.1); a close without one is answered without one.
            if !isClosing {
                if let code {
                    close(code)
                } else {
                    sendControl(WebSocketFrame(opcode: .close))
                    markClosing()
                }
            }
            markCloseReceived()
        }
    }
}
