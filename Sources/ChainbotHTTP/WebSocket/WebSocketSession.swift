/// What an application does on one WebSocket connection. Every call comes on the connection's own
/// thread, one at a time, so a session needs no locks; a call should not block for long (reading a local
/// store is fine), since the connection reads and writes nothing meanwhile.
public protocol WebSocketSession: AnyObject {
    /// The handshake is done: send the first messages.
    func opened(_ connection: WebSocketConnection)
    /// A text message from the peer.
    func received(_ text: String, on connection: WebSocketConnection)
    /// Called every `WebSocketConfiguration.tickInterval`, and at once when `waker` is woken, until the
    /// close begins: send what is new.
    func tick(_ connection: WebSocketConnection)
    /// What another thread wakes to have `tick` called now; nil: ticks come by the clock only.
    var waker: WebSocketWaker? { get }
}

extension WebSocketSession {
    public var waker: WebSocketWaker? { nil }
}

/// The limits and timers of the server's WebSocket connections.
public struct WebSocketConfiguration: Sendable {
    /// Largest message (all its fragments) or frame the peer may send; larger closes with 1009.
    public var maxMessageBytes = 64 * 1024
    /// Queued outgoing bytes above which `WebSocketConnection.canSend` is false: a session that sends
    /// while it is true never fills the queue.
    public var highWaterBytes = 256 * 1024
    /// Queued outgoing bytes past which the peer is dropped at once (the bound of the queue).
    public var maxQueuedBytes = 4 * 1024 * 1024
    /// How long queued bytes may wait with none of them taken by the peer before it is dropped.
    public var stallTimeout: Duration = .seconds(10)
    /// How long the connection may be quiet (nothing received) before the server sends a ping.
    public var pingInterval: Duration = .seconds(20)
    /// How long after a ping the peer has to send anything (a pong) before it is dropped.
    public var pongTimeout: Duration = .seconds(20)
    /// How often `WebSocketSession.tick` is called.
    public var tickInterval: Duration = .milliseconds(100)
    /// How long to wait for the peer's close frame after sending ours.
    public var closeTimeout: Duration = .seconds(2)

    public init() {}
}

extension HTTPResponse {
    /// The answer to a WebSocket upgrade `request`: `101 Switching Protocols` whose connection is then run
    /// with a session made by `makeSession`, or the handshake problem (400, 426) when the request breaks
    /// RFC 6455 §4.2.1. `subprotocol` must be one the client offered in `Sec-WebSocket-Protocol`.
    public static func webSocket(
        answering request: HTTPRequest, subprotocol: String? = nil,
        configuration: WebSocketConfiguration = WebSocketConfiguration(),
        makeSession: @escaping @Sendable () -> any WebSocketSession
    ) -> HTTPResponse {
        if let problem = WebSocketHandshake.problem(with: request) { return problem }
        var response = HTTPResponse(
            status: 101, headers: WebSocketHandshake.switchingHeaders(for: request, subprotocol: subprotocol))
        response.body = .upgrade(
            HTTPUpgrade { upgraded in
                WebSocketConnection(upgraded, configuration: configuration).run(makeSession())
            })
        return response
    }
}
