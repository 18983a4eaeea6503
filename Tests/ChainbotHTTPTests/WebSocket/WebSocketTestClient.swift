import Glibc

@testable import ChainbotHTTP

/// A minimal WebSocket client over a raw loopback socket, for testing the server's side frame by frame:
/// it masks what it sends and reads the server's frames with the codec (which must then accept unmasked).
final class WebSocketTestClient: @unchecked Sendable {
    let socket: Socket
    let head: String
    private var decoder = WebSocketFrameDecoder(maxFrameBytes: 16 << 20, requiresMask: false)

    private init(socket: Socket, head: String, leftover: [UInt8]) {
        self.socket = socket
        self.head = head
        decoder.append(leftover)
    }

    /// Connects, sends the handshake and `first` right behind it in one write, and reads the 101 head.
    static func open(port: Int, path: String = "/ws", first: [UInt8] = []) async throws -> WebSocketTestClient {
        try await offPool {
            let socket = try Socket.connect(host: "127.0.0.1", port: port, until: .now + .seconds(5))
            let request =
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            try socket.send(Array(request.utf8) + first, until: .now + .seconds(5), idle: .seconds(5))
            var reader = WireReader(socket: socket, deadline: .now + .seconds(10), idle: .seconds(10))
            guard let head = try reader.readHead(limit: 16 * 1024) else { throw WireError.closed }
            return WebSocketTestClient(
                socket: socket, head: String(decoding: head, as: UTF8.self), leftover: reader.takeBuffered())
        }
    }

    static func masked(_ frame: WebSocketFrame) -> [UInt8] { frame.encoded(maskingKey: [1, 2, 3, 4]) }

    func send(_ frame: WebSocketFrame) async throws { try await sendRaw(Self.masked(frame)) }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await offPool { try self.socket.send(bytes, until: .now + .seconds(5), idle: .seconds(5)) }
    }

    /// The next frame from the server; nil when it closed the connection first.
    func next(within timeout: Duration = .seconds(20)) async throws -> WebSocketFrame? {
        try await offPool { () throws -> WebSocketFrame? in
            let end = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                if let frame = try self.decoder.next() { return frame }
                let count = try buffer.withUnsafeMutableBytes { bytes in
                    try self.socket.receive(into: bytes, until: end, idle: timeout)
                }
                if count == 0 { return nil }
                self.decoder.append(buffer[..<count])
            }
        }
    }

    /// The close code in the server's close frame, skipping data frames before it; nil when none came.
    func closeCode() async throws -> WebSocketCloseCode? {
        while let frame = try await next() {
            guard frame.opcode == .close else { continue }
            guard frame.payload.count >= 2 else { return nil }
            return WebSocketCloseCode(rawValue: UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]))
        }
        return nil
    }

    /// Whether the server ends the TCP connection (end of file or reset) within `timeout`, frames skipped.
    func isClosedByServer(within timeout: Duration = .seconds(20)) async -> Bool {
        do {
            while try await next(within: timeout) != nil {}
            return true
        } catch {
            if case WireError.closed = error { return true }
            return false
        }
    }
}
