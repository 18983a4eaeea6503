import ChainbotOS
import Glibc

@testable import ChainbotHTTP

/// Runs `body` against an `HTTPServer` on an ephemeral loopback port, then stops it.
func withServer<T>(
    _ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    handler: @escaping HTTPServer.Handler,
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = HTTPServer.Configuration()
    // Long enough that a test starved of the cooperative pool (other suites busy) is not cut off between
    // connecting and sending; the idle-timeout test sets its own.
    configuration.idleTimeout = .seconds(30)
    configure(&configuration)
    let server = try HTTPServer(configuration: configuration, handler: handler)
    do {
        let result = try await body(server)
        await server.stop(grace: .milliseconds(200))
        return result
    } catch {
        await server.stop(grace: .milliseconds(200))
        throw error
    }
}

/// A client with short limits, so that failing tests fail fast.
func quickClient(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectTimeout = .seconds(2)
    configuration.readTimeout = .seconds(2)
    configuration.timeout = .seconds(5)
    configure(&configuration)
    return HTTPClient(configuration: configuration)
}

/// Runs blocking socket code on its own thread, so a test never blocks Swift's cooperative pool
/// (which has one thread per core and must stay free to run the server's handlers).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        do {
            try WorkerThread.start {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        } catch {
            continuation.resume(throwing: error)
        }
    }
}

/// A raw TCP connection for speaking bytes the client never would (slow, malformed, pipelined).
///
/// Used by one test at a time, in sequence; every blocking call runs off the cooperative pool.
final class RawConnection: @unchecked Sendable {
    let socket: Socket
    private var reader: WireReader

    private init(socket: Socket) {
        self.socket = socket
        reader = WireReader(socket: socket, deadline: .now + .seconds(5), idle: .seconds(3))
    }

    /// Connects and, in the same step, sends `text` (so no pause between them can look idle to the server).
    static func open(port: Int, sending text: String = "") async throws -> RawConnection {
        try await offPool {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, until: .now + .seconds(2))
            if !text.isEmpty { try socket.send(Array(text.utf8), until: .now + .seconds(2), idle: .seconds(2)) }
            return RawConnection(socket: socket)
        }
    }

    /// Connects from the loopback address `source` (any of 127.0.0.0/8 on Linux, so tests can be several
    /// peers) and sends `text` in the same step.
    static func open(port: Int, from source: String, sending text: String = "") async throws -> RawConnection {
        try await offPool {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemError.current("socket") }
            let socket = Socket(fd: fd)
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, source, &local.sin_addr) == 1 else { throw SystemError("inet_pton", code: EINVAL) }
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = UInt16(port).bigEndian
            _ = inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0 else { throw SystemError.current("bind", path: source) }
            let connected = withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            guard connected == 0 else { throw SystemError.current("connect") }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if !text.isEmpty { try socket.send(Array(text.utf8), until: .now + .seconds(2), idle: .seconds(2)) }
            return RawConnection(socket: socket)
        }
    }

    func send(_ text: String) async throws {
        try await offPool { try self.socket.send(Array(text.utf8), until: .now + .seconds(2), idle: .seconds(2)) }
    }

    /// Reads one response: status, headers and body (Content-Length or chunked framing).
    func readResponse(method: HTTPMethod = .get) async throws -> RawResponse {
        try await offPool {
            self.reader.deadline = .now + .seconds(5)
            guard let bytes = try self.reader.readHead(limit: 64 * 1024) else { throw WireError.closed }
            let head = try MessageHead(parsing: bytes, isRequest: false)
            let status = Int(head.startLine.1) ?? 0
            let framing = try BodyFraming.response(head.headers, status: status, method: method)
            let body = try self.reader.readBody(framing, limit: 1024 * 1024, trailerLimit: 1024)
            return RawResponse(status: status, headers: head.headers, body: String(decoding: body, as: UTF8.self))
        }
    }

    /// Reads only a response head and returns it as text.
    func readHead() async throws -> String {
        try await offPool {
            guard let bytes = try self.reader.readHead(limit: 64 * 1024) else { throw WireError.closed }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether the server closed the connection (end of file or reset) within `timeout`.
    func isClosedByPeer(within timeout: Duration) async -> Bool {
        (try? await offPool { () -> Bool in
            self.reader.deadline = .now + timeout
            self.reader.idle = timeout
            do throws(WireError) {
                _ = try self.reader.readToEnd(limit: 1024 * 1024)
                return true
            } catch {
                if case .closed = error { return true }
                return false
            }
        }) ?? false
    }
}

struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
}
