import Glibc
import Testing

@testable import ChainbotHTTP

/// The WebSocket client against the project's own server over real loopback TCP: masked frames the
/// server accepts, pings and pongs, the close handshake, refused handshakes, the size bound and a server
/// that stops answering.
@Suite struct WebSocketClientTests {
    static func serving(
        session: @escaping @Sendable () -> any WebSocketSession = { EchoSession() },
        _ body: @escaping @Sendable (WebSocketURL) throws -> Void
    ) async throws {
        try await withServer(
            handler: { request in
                request.path == "/ws" ? .webSocket(answering: request, makeSession: session) : .text("no", status: 404)
            },
            { server in
                let url = try WebSocketURL(parsing: "ws://127.0.0.1:\(server.port)/ws")
                try await offPool { try body(url) }
            })
    }

    /// The next event that is not a timeout, within 60 s.
    static func next(_ client: WebSocketClient) -> WebSocketClientEvent {
        let end = ContinuousClock.now + .seconds(60)
        while true {
            let event = client.next(until: end)
            if event != .timeout || ContinuousClock.now >= end { return event }
        }
    }

    @Test func theServerTakesTheClientsMaskedMessagesAndAnswersItsPingWithThatPayload() async throws {
        try await Self.serving { url in
            let client = try WebSocketClient.connect(url)
            let long = String(repeating: "é", count: 10_000)
            try client.send(text: "hello")
            try client.send(text: long)
            try client.ping([7, 7, 7])

            #expect(Self.next(client) == .text("hello"))
            #expect(Self.next(client) == .text(long))
            #expect(Self.next(client) == .pong([7, 7, 7]))
        }
    }

    @Test func aCloseIsAnsweredByTheServersCloseAndThenNothingMoreIsSent() async throws {
        try await Self.serving { url in
            let client = try WebSocketClient.connect(url)
            client.close(.normal, reason: "done")

            #expect(Self.next(client) == .closed(.normal, ""))
            #expect(client.hasEnded)
            #expect(throws: WebSocketClientError.self) { try client.send(text: "late") }
        }
    }

    @Test func aRefusedUpgradeAndAWssURLAreErrorsNamingTheURL() async throws {
        try await Self.serving { url in
            var other = url
            other.target = "/elsewhere"
            let refused = #expect(throws: WebSocketClientError.self) { try WebSocketClient.connect(other) }
            #expect(refused?.kind == .handshakeFailed)
            #expect(refused?.description.contains("ws://127.0.0.1:\(url.port)/elsewhere") == true)
            #expect(refused?.message.contains("404") == true)
        }
        let wss = #expect(throws: WebSocketClientError.self) { try WebSocketURL(parsing: "wss://bus.local/ws") }
        #expect(wss?.kind == .invalidURL)
        #expect(wss?.message.contains("wss:// is not supported") == true)
    }

    @Test func aServerMessageOverTheClientsLimitClosesWith1009() async throws {
        try await Self.serving(session: { FloodSession() }) { url in
            var configuration = WebSocketClientConfiguration()
            configuration.maxMessageBytes = 1024
            let client = try WebSocketClient.connect(url, configuration: configuration)
            let event = Self.next(client)

            guard case .closed(let code, _) = event else {
                Issue.record("expected a close, got \(event)")
                return
            }
            #expect(code == .messageTooBig)
            #expect(throws: WebSocketClientError.self) { try client.send(text: String(repeating: "x", count: 2000)) }
        }
    }

    @Test func aMaskedFrameFromTheServerIsAProtocolError() throws {
        var decoder = WebSocketFrameDecoder(maxFrameBytes: 1024, requiresMask: false, refusesMask: true)
        decoder.append(WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded(maskingKey: [1, 2, 3, 4]))
        var plain = WebSocketFrameDecoder(maxFrameBytes: 1024, requiresMask: false, refusesMask: true)
        plain.append(WebSocketFrame(opcode: .text, payload: Array("hi".utf8)).encoded())

        #expect(throws: WebSocketProtocolError(.protocolError, "server frames must not be masked")) {
            try decoder.next()
        }
        #expect(try plain.next() == WebSocketFrame(opcode: .text, payload: Array("hi".utf8)))
    }

    @Test func aServerThatAnswersNoPingIsDroppedAfterThePongTimeout() async throws {
        try await Self.serving(session: { StallingSession() }) { url in
            var configuration = WebSocketClientConfiguration()
            configuration.pingInterval = .milliseconds(100)
            configuration.pongTimeout = .milliseconds(500)
            let client = try WebSocketClient.connect(url, configuration: configuration)
            // The server's thread sleeps in the session from this message on: no pong comes back.
            try client.send(text: "stall")
            let event = Self.next(client)

            guard case .closed(nil, let why) = event else {
                Issue.record("expected a drop, got \(event)")
                return
            }
            #expect(why.contains("answered no ping"))
        }
    }
}

/// Blocks its connection's thread for 3 s on every message, as a server that hangs does.
final class StallingSession: WebSocketSession {
    func opened(_ connection: WebSocketConnection) {}
    func received(_ text: String, on connection: WebSocketConnection) { usleep(3_000_000) }
    func tick(_ connection: WebSocketConnection) {}
}
