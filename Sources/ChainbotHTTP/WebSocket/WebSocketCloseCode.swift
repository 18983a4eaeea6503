/// A close status code (RFC 6455 §7.4.1), sent in a close frame and read from the peer's.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection is fulfilled.
    public static let normal = WebSocketCloseCode(rawValue: 1000)
    /// 1001: the server is stopping (or the client navigates away).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: the peer broke the framing rules (unmasked frame, reserved bits, unknown opcode, …).
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1003: a kind of message this endpoint does not take (binary where only text is read).
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// 1007: a text message that is not valid UTF-8.
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    /// 1008: the peer broke the endpoint's policy (too slow to read, a message it does not understand).
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message larger than the endpoint takes.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// 1011: the server met a condition it cannot go on from.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)

    /// Whether a peer may send this code in a close frame: 1000–1003, 1007–1011 and 3000–4999 (1004–1006
    /// and 1015 are reserved or never sent; below 1000 and 1012–2999 are not assigned to endpoints).
    public var isValidOnTheWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1011, 3000...4999: return true
        default: return false
        }
    }

    public var description: String { String(rawValue) }
}

/// A broken rule that ends the connection with `code`: what the frame codec throws.
public struct WebSocketProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: WebSocketCloseCode
    /// Short (a close frame's reason is at most 123 bytes), for the peer and the log.
    public var reason: String

    public init(_ code: WebSocketCloseCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "WebSocket close \(code): \(reason)" }
}
