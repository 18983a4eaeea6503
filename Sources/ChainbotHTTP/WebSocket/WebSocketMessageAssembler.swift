/// What a peer sent: a whole data message (fragments joined) or a control frame.
public enum WebSocketMessage: Equatable, Sendable {
    case text(String)
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The peer's close frame: its code (nil when it sent none) and reason.
    case close(WebSocketCloseCode?, String)
}

/// Joins fragmented data frames into messages (RFC 6455 §5.4), control frames passing between them, and
/// checks what they carry: a text message must be UTF-8 (else 1007), a message at most `maxMessageBytes`
/// (else 1009), a continuation must continue something and a new message must not interrupt one (1002),
/// a close frame's code must be one a peer may send (1002) and its reason UTF-8 (1007).
public struct WebSocketMessageAssembler: Sendable {
    public let maxMessageBytes: Int
    private var partialOpcode: WebSocketFrame.Opcode?
    private var partial: [UInt8] = []

    public init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }

    /// The message `frame` completes; nil when it is a fragment of one still coming.
    public mutating func take(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketMessage? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try Self.close(frame.payload)
        case .text, .binary:
            guard partialOpcode == nil else {
                throw WebSocketProtocolError(.protocolError, "a new message began before the last one ended")
            }
            partialOpcode = frame.opcode
            partial = []
        case .continuation:
            guard partialOpcode != nil else {
                throw WebSocketProtocolError(.protocolError, "a continuation frame with no message to continue")
            }
        }
        guard partial.count + frame.payload.count <= maxMessageBytes else {
            throw WebSocketProtocolError(.messageTooBig, "a message over \(maxMessageBytes) bytes")
        }
        partial += frame.payload
        guard frame.fin, let opcode = partialOpcode else { return nil }
        defer {
            partialOpcode = nil
            partial = []
        }
        guard opcode == .text else { return .binary(partial) }
        guard let text = String(validating: partial, as: UTF8.self) else {
            throw WebSocketProtocolError(.invalidPayload, "a text message that is not UTF-8")
        }
        return .text(text)
    }

    private static func close(_ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketMessage {
        if payload.isEmpty { return .close(nil, "") }
        guard payload.count >= 2 else { throw WebSocketProtocolError(.protocolError, "a one-byte close payload") }
        let code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isValidOnTheWire else { throw WebSocketProtocolError(.protocolError, "close code \(code)") }
        guard let reason = String(validating: payload.dropFirst(2), as: UTF8.self) else {
            throw WebSocketProtocolError(.invalidPayload, "a close reason that is not UTF-8")
        }
        return .close(code, reason)
    }
}
