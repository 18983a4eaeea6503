import ChainbotOS
import Glibc

/// A small HTTP/1.1 server: one thread per connection, keep-alive, bounded in size and time.
///
/// Listens on `127.0.0.1` by default; port 0 lets the kernel choose and `port` tells which. Each request
/// is handed to the async handler; its response is written with `Content-Length`, or chunk by chunk
/// when the body is a stream. Slow or stalled clients are cut off by the head, body and idle timeouts.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0: any free port, reported by `HTTPServer.port`.
        public var port = 0
        /// Largest request head (request line and headers); larger gets 431.
        public var maxHeaderBytes = 16 * 1024
        /// Largest request body; larger gets 413.
        public var maxBodyBytes = 1024 * 1024
        /// Connections served at once; more are answered 503 and closed.
        public var maxConnections = 64
        /// Connections one peer (one source address) may have open at once; more are answered 429 and
        /// closed. nil: no limit beyond `maxConnections`.
        public var maxConnectionsPerPeer: Int?
        /// Slots of `maxConnections` only loopback peers may take, so a health check from the host itself
        /// gets through while remote peers hold every other slot.
        public var loopbackReserve = 0
        /// Longest time from accepting a connection to the end of its first request head (then 408, or a
        /// silent close when nothing came): a client that connects and sends nothing, or a head byte by
        /// byte, holds its slot no longer. A kept-alive connection's later requests have `idleTimeout`
        /// and `headerTimeout` instead.
        public var firstHeadTimeout: Duration = .seconds(15)
        /// Longest time from a request's first byte to the end of its head; then 408.
        public var headerTimeout: Duration = .seconds(10)
        /// Longest time to receive a request body.
        public var bodyTimeout: Duration = .seconds(30)
        /// Longest wait for the next bytes of a head, body or while writing (a stalled peer).
        public var readTimeout: Duration = .seconds(10)
        /// How long a kept-alive connection may wait for its next request.
        public var idleTimeout: Duration = .seconds(5)
        /// Requests served on one connection before it is closed.
        public var maxRequestsPerConnection = 1000
        public var backlog: Int32 = 128

        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }
    }

    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    public let configuration: Configuration
    /// The port the server is bound to (the kernel's choice when the configuration said 0).
    public let port: Int
    private let listener: Socket
    private let registry: ConnectionRegistry

    /// Binds and starts accepting connections at once; throws `.bindFailed` when the address is taken.
    public init(configuration: Configuration = Configuration(), handler: @escaping Handler) throws(HTTPError) {
        self.configuration = configuration
        let place = "\(configuration.host):\(configuration.port)"
        do {
            (listener, port) = try Socket.listen(
                host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        } catch {
            throw HTTPError(.bindFailed, message: "cannot listen on \(place): \(error.message)")
        }
        registry = ConnectionRegistry(
            maxConnections: configuration.maxConnections, maxConnectionsPerPeer: configuration.maxConnectionsPerPeer,
            loopbackReserve: configuration.loopbackReserve)
        let listener = listener
        let registry = registry
        let handler = handler
        do {
            try WorkerThread.start {
                HTTPServer.acceptLoop(listener, registry: registry, configuration: configuration, handler: handler)
            }
        } catch {
            listener.close()
            throw HTTPError(.system, message: "cannot start the accept thread: \(error)")
        }
    }

    deinit {
        registry.beginStop()
        registry.forceClose()
        listener.shutdown()
    }

    /// Connections open right now (idle or busy).
    public var openConnections: Int { registry.count }

    /// `http://HOST:PORT`, for building request URLs.
    public var baseURL: String { HTTPURL(host: configuration.host, port: port).description.dropLastSlash() }

    /// Stops accepting, closes idle connections, lets requests in flight finish for up to `grace`, then
    /// cuts the rest off (cancelling their handlers and streams) and waits for every thread to end; it
    /// gives up waiting 10 s after that for a handler that ignores cancellation (a cut-off connection's
    /// thread on a loaded machine can take seconds to run again and close).
    public func stop(grace: Duration = .seconds(2)) async {
        registry.beginStop()
        listener.shutdown()
        let graceEnd = ContinuousClock.now + grace
        while !registry.isFinished {
            if ContinuousClock.now >= graceEnd {
                registry.forceClose()
                if ContinuousClock.now >= graceEnd + .seconds(10) { return }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    private static func acceptLoop(
        _ listener: Socket, registry: ConnectionRegistry, configuration: Configuration, handler: @escaping Handler
    ) {
        defer {
            listener.close()
            registry.acceptEnded()
        }
        while !registry.isStopping {
            var entry = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            // stop() shuts the listener down, which wakes this poll; the timeout is only a backstop, and
            // long: at 30 s it was two of an idle agent's few wake-ups a minute.
            guard poll(&entry, 1, 300_000) >= 0 || errno == EINTR else { return }
            if registry.isStopping { return }
            let accepted: (socket: Socket, peer: String)?
            do { accepted = try listener.accept() } catch {
                // Out of descriptors (EMFILE) and the like: wait a little instead of spinning.
                usleep(10_000)
                continue
            }
            guard let (socket, peer) = accepted else { continue }
            let id: Int
            switch registry.add(socket, peer: peer) {
            case .success(let added): id = added
            case .failure(let refusal):
                HTTPServer.refuse(socket, status: refusal == .peerBudget ? 429 : 503)
                continue
            }
            let connection = ServerConnection(
                id: id, socket: socket, registry: registry, configuration: configuration, handler: handler)
            do { try WorkerThread.start { connection.run() } } catch {
                registry.remove(id)
                HTTPServer.refuse(socket, status: 503)
            }
        }
    }

    /// Answers `status` (503, or 429 for a peer over its budget) without reading the request, best effort,
    /// and closes.
    private static func refuse(_ socket: Socket, status: Int) {
        let response = HeadWriter.response(
            status: status, reason: HTTPStatus.reason(for: status),
            headers: ["Content-Length": "0", "Connection": "close", "Retry-After": "1"])
        try? socket.send(response, until: .now + .milliseconds(100), idle: .milliseconds(100))
        socket.close()
    }
}

extension String {
    fileprivate func dropLastSlash() -> String { hasSuffix("/") ? String(dropLast()) : self }
}
