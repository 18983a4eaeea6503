import Glibc

/// The client's side of one WebSocket connection (RFC 6455), owned by the one thread that calls it: it
/// connects and checks the server's 101, masks every frame it sends with a fresh random key, answers the
/// server's pings, pings a quiet server and drops one that stops answering or reading, and runs the close
/// handshake. Blocking calls, each bounded by a deadline; never use it from Swift's cooperative pool.
///
/// Only `ws://` (see `WebSocketURL`). What is sent waits in a bounded queue until the socket takes it;
/// `next` writes it out while it waits for what comes in.
public final class WebSocketClient {
    public let url: WebSocketURL
    /// The subprotocol the server chose, if any.
    public let subprotocol: String?
    let socket: Socket
    let configuration: WebSocketClientConfiguration
    var decoder: WebSocketFrameDecoder
    var assembler: WebSocketMessageAssembler
    /// Encoded frames waiting for the socket: `outgoing[outgoingStart...]`.
    var outgoing: [UInt8] = []
    var outgoingStart = 0
    var lastWriteProgress = ContinuousClock.now
    var lastReceived = ContinuousClock.now
    var keepAliveSentAt: ContinuousClock.Instant?
    var closeDeadline: ContinuousClock.Instant?
    /// Messages decoded but not returned yet (one read may bring several).
    var received: [WebSocketClientEvent] = []
    /// How the connection ended, once it has.
    var ended: WebSocketClientEvent?
    private var generator = SystemRandomNumberGenerator()

    /// Whether our close frame is queued: nothing more is sent after it.
    public internal(set) var isClosing = false

    private init(
        url: WebSocketURL, socket: Socket, subprotocol: String?, leftover: [UInt8],
        configuration: WebSocketClientConfiguration
    ) {
        self.url = url
        self.socket = socket
        self.subprotocol = subprotocol
        self.configuration = configuration
        decoder = WebSocketFrameDecoder(
            maxFrameBytes: configuration.maxMessageBytes, requiresMask: false, refusesMask: true)
        assembler = WebSocketMessageAssembler(maxMessageBytes: configuration.maxMessageBytes)
        decoder.append(leftover)
    }

    deinit { socket.close() }

    /// Connects to `url` and completes the opening handshake, offering `subprotocols` and sending `headers`
    /// (an `Authorization`, say) with the upgrade request.
    public static func connect(
        _ url: WebSocketURL, headers: HTTPHeaders = [:], subprotocols: [String] = [],
        configuration: WebSocketClientConfiguration = WebSocketClientConfiguration()
    ) throws(WebSocketClientError) -> WebSocketClient {
        let start = ContinuousClock.now
        let socket: Socket
        do {
            socket = try Socket.connect(host: url.host, port: url.port, until: start + configuration.connectTimeout)
        } catch {
            throw WebSocketClientError(
                error.isTimeout ? .timedOut : .connectFailed, url: url.description,
                "cannot connect to \(url.hostHeader): \(error.text)")
        }
        var extra = headers
        if !subprotocols.isEmpty { extra["Sec-WebSocket-Protocol"] = subprotocols.joined(separator: ", ") }
        let key = WebSocketClientHandshake.makeKey()
        let deadline = ContinuousClock.now + configuration.handshakeTimeout
        func failed(_ error: WireError) -> WebSocketClientError {
            WebSocketClientError(
                error.isTimeout ? .timedOut : .handshakeFailed, url: url.description, "handshake: \(error.text)")
        }
        var reader = WireReader(socket: socket, deadline: deadline, idle: configuration.handshakeTimeout)
        let head: MessageHead
        do throws(WireError) {
            try socket.send(
                WebSocketClientHandshake.request(url, key: key, extra: extra), until: deadline,
                idle: configuration.handshakeTimeout)
            guard let bytes = try reader.readHead(limit: configuration.maxHeadBytes) else { throw WireError.closed }
            head = try MessageHead(parsing: bytes, isRequest: false)
        } catch {
            throw failed(error)
        }
        if let problem = WebSocketClientHandshake.problem(
            status: Int(head.startLine.1) ?? 0, headers: head.headers, key: key, offered: subprotocols)
        {
            throw WebSocketClientError(.handshakeFailed, url: url.description, problem)
        }
        return WebSocketClient(
            url: url, socket: socket, subprotocol: head.headers["Sec-WebSocket-Protocol"]?.trimmingSpaces(),
            leftover: reader.takeBuffered(), configuration: configuration)
    }

    /// Outgoing bytes the server has not taken yet.
    public var queuedBytes: Int { outgoing.count - outgoingStart }

    /// Whether the connection has ended (closed, dropped, or broken by the server).
    public var hasEnded: Bool { ended != nil }

    /// Queues a text message; refused once closing or ended, and when it or the queue is over its bound.
    public func send(text: String) throws(WebSocketClientError) {
        let payload = Array(text.utf8)
        guard payload.count <= configuration.maxMessageBytes else {
            throw WebSocketClientError(
                .tooLarge, url: url.description,
                "a message of \(payload.count) bytes; the limit is \(configuration.maxMessageBytes)")
        }
        try enqueueData(WebSocketFrame(opcode: .text, payload: payload))
    }

    /// Queues a ping with `payload` (at most 125 bytes): the server's pong says it has read everything
    /// sent before it.
    public func ping(_ payload: [UInt8]) throws(WebSocketClientError) {
        try enqueueData(WebSocketFrame(opcode: .ping, payload: Array(payload.prefix(125))))
    }

    /// Begins the close handshake with `code`: nothing more is sent; `next` returns `.closed` when the
    /// server answers with its close frame, or after `closeTimeout`.
    public func close(_ code: WebSocketCloseCode = .normal, reason: String = "") {
        guard !isClosing, ended == nil else { return }
        enqueue(.close(code, reason: reason))
        isClosing = true
        closeDeadline = .now + configuration.closeTimeout
    }

    /// Ends the connection at once, without a close handshake (what a crash looks like to the server).
    public func abort() {
        socket.shutdown()
        end(.closed(nil, "aborted"))
    }

    private func enqueueData(_ frame: WebSocketFrame) throws(WebSocketClientError) {
        guard !isClosing, ended == nil else {
            throw WebSocketClientError(.closed, url: url.description, "the connection is closing")
        }
        guard queuedBytes + frame.payload.count <= configuration.maxQueuedBytes else {
            throw WebSocketClientError(
                .tooLarge, url: url.description, "the outgoing queue is full (\(configuration.maxQueuedBytes) bytes)")
        }
        enqueue(frame)
    }

    /// Queues `frame`, masked with a fresh key as every client frame must be (§5.3).
    func enqueue(_ frame: WebSocketFrame) {
        guard ended == nil else { return }
        if queuedBytes == 0 { lastWriteProgress = .now }
        if outgoingStart > 0 && outgoingStart >= outgoing.count / 2 {
            outgoing.removeFirst(outgoingStart)
            outgoingStart = 0
        }
        let key = (0..<4).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        outgoing += frame.encoded(maskingKey: key)
    }

    /// Records how the connection ended (the first reason wins) and releases the socket.
    func end(_ event: WebSocketClientEvent) {
        guard ended == nil else { return }
        ended = event
        socket.close()
    }
}

extension WireError {
    var isTimeout: Bool {
        if case .timedOut = self { return true }
        return false
    }

    var text: String {
        switch self {
        case .timedOut(let why): "timed out (\(why))"
        case .closed: "the server closed the connection"
        case .headTooLarge(let limit): "an answer head larger than \(limit) bytes"
        case .bodyTooLarge(let limit): "a body larger than \(limit) bytes"
        case .malformed(let why), .unsupportedCoding(let why): why
        case .system(let error): error.message
        }
    }
}
