/// Why a WebSocket client could not connect, or why its connection ended badly.
public struct WebSocketClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; decide on this, never on the message text.
    public enum Kind: String, Sendable, Hashable {
        case invalidURL
        case connectFailed
        /// The server answered the upgrade, but not with a valid 101 (a 404, a wrong accept value, …).
        case handshakeFailed
        case timedOut
        /// The connection is gone (the peer closed it, or it was already closing).
        case closed
        /// An outgoing message over `maxMessageBytes`, or the outgoing queue past `maxQueuedBytes`.
        case tooLarge
    }

    public var kind: Kind
    /// The URL connected to.
    public var url: String
    public var message: String

    public init(_ kind: Kind, url: String, _ message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    public var description: String { "WebSocket \(url): \(message)" }
}

/// The limits and timers of a WebSocket client connection.
public struct WebSocketClientConfiguration: Sendable {
    /// Time to set up the TCP connection.
    public var connectTimeout: Duration = .seconds(5)
    /// Time from connecting to the server's whole 101 head.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Largest head of the server's answer, in bytes.
    public var maxHeadBytes = 16 * 1024
    /// Largest message (all its fragments) or frame the server may send, and that `send` takes; a larger
    /// incoming one closes with 1009.
    public var maxMessageBytes = 1 << 20
    /// Queued outgoing bytes past which `send` refuses (`tooLarge`): the bound of the queue.
    public var maxQueuedBytes = 4 * 1024 * 1024
    /// How long queued bytes may wait with none taken by the server before the connection is dropped.
    public var stallTimeout: Duration = .seconds(10)
    /// How long the connection may be quiet (nothing received) before the client sends a keep-alive ping.
    public var pingInterval: Duration = .seconds(20)
    /// How long after a ping the server has to send anything before the connection is dropped.
    public var pongTimeout: Duration = .seconds(20)
    /// How long to wait for the server's close frame after sending ours.
    public var closeTimeout: Duration = .seconds(2)

    public init() {}
}

/// What `WebSocketClient.next` found.
public enum WebSocketClientEvent: Equatable, Sendable {
    /// A whole text message from the server.
    case text(String)
    /// A pong, with the payload of the ping it answers (a server may answer only the latest of several).
    case pong([UInt8])
    /// The waker was woken.
    case woken
    /// The deadline passed with nothing received.
    case timeout
    /// The connection ended: the server's close code (nil when the TCP connection ended without a close
    /// handshake, or with a close frame without a code) and why.
    case closed(WebSocketCloseCode?, String)
}
