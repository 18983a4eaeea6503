import Testing

@testable import ChainbotHTTP

/// The server's WebSocket connections over real loopback TCP, driven frame by frame: the hand-over after
/// the 101, pings both ways, the close handshake, protocol errors closing with their codes on the wire,
/// and peers that stop reading or answering being dropped.
@Suite struct WebSocketConnectionTests {
    static func serving(
        _ configure: @escaping @Sendable (inout WebSocketConfiguration) -> Void = { _ in },
        session: @escaping @Sendable () -> any WebSocketSession = { EchoSession() },
        _ body: (HTTPServer) async throws -> Void
    ) async throws {
        var configuration = WebSocketConfiguration()
        configure(&configuration)
        try await withServer(
            handler: { [configuration] request in
                .webSocket(answering: request, configuration: configuration, makeSession: session)
            }, body)
    }

    static func text(_ text: String) -> WebSocketFrame { WebSocketFrame(opcode: .text, payload: Array(text.utf8)) }

    @Test func aFrameSentRightBehindTheHandshakeIsReadAndEchoed() async throws {
        try await Self.serving { server in
            let client = try await WebSocketTestClient.open(
                port: server.port, first: WebSocketTestClient.masked(Self.text("first")))
            let echo = try await client.next()

            #expect(client.head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(client.head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            #expect(echo == Self.text("first"))
        }
    }

    @Test func answersAPingWithItsPayloadAndEchoesTheClientsClose() async throws {
        try await Self.serving { server in
            let client = try await WebSocketTestClient.open(port: server.port)
            try await client.send(WebSocketFrame(opcode: .ping, payload: [9, 8, 7]))
            let pong = try await client.next()
            try await client.send(.close(.normal, reason: "bye"))
            let close = try await client.next()

            #expect(pong == WebSocketFrame(opcode: .pong, payload: [9, 8, 7]))
            #expect(close == WebSocketFrame.close(.normal))
            #expect(await client.isClosedByServer())
        }
    }

    @Test func brokenFramesCloseWithTheirCodeOnTheWire() async throws {
        try await Self.serving({ $0.maxMessageBytes = 1024 }) { server in
            let unmasked = try await WebSocketTestClient.open(port: server.port)
            try await unmasked.sendRaw(Self.text("plain").encoded())
            let badText = try await WebSocketTestClient.open(port: server.port)
            try await badText.send(WebSocketFrame(opcode: .text, payload: [0x61, 0xff]))
            let big = try await WebSocketTestClient.open(port: server.port)
            try await big.send(Self.text(String(repeating: "x", count: 2000)))
            let binary = try await WebSocketTestClient.open(port: server.port)
            try await binary.send(WebSocketFrame(opcode: .binary, payload: [1]))

            #expect(try await unmasked.closeCode() == .protocolError)
            #expect(try await badText.closeCode() == .invalidPayload)
            #expect(try await big.closeCode() == .messageTooBig)
            #expect(try await binary.closeCode() == .unsupportedData)
            for client in [unmasked, badText, big, binary] { #expect(await client.isClosedByServer()) }
        }
    }

    @Test func aClientThatStopsReadingIsDroppedWhileAnotherIsServed() async throws {
        try await Self.serving(
            {
                // Long enough that the reading client, starved of the pool by other suites, is not given up on too
                // (5 s was not, once, in a full run on 2 cores).
                $0.stallTimeout = .seconds(20)
                $0.maxQueuedBytes = 8 << 20
            }, session: { FloodSession() }
        ) { server in
            let stalled = try await WebSocketTestClient.open(port: server.port, path: "/flood")
            let reading = try await WebSocketTestClient.open(port: server.port, path: "/flood")
            // The reading client keeps getting frames the whole time the stalled one is being given up on.
            var received = 0
            let deadline = ContinuousClock.now + .seconds(180)
            while (server.openConnections > 1 || received == 0) && ContinuousClock.now < deadline {
                if try await reading.next() != nil { received += 1 }
            }

            #expect(server.openConnections == 1, "the client that stopped reading was dropped")
            #expect(received > 0)
            #expect(await stalled.isClosedByServer())
        }
    }

    @Test func aQuietClientIsPingedAndDroppedWhenItDoesNotAnswer() async throws {
        try await Self.serving({
            $0.pingInterval = .milliseconds(200)
            $0.pongTimeout = .milliseconds(400)
        }) { server in
            let client = try await WebSocketTestClient.open(port: server.port)
            let ping = try await client.next()

            #expect(ping?.opcode == .ping)
            #expect(await client.isClosedByServer())
        }
    }

    @Test func stoppingTheServerClosesWithGoingAway() async throws {
        var configuration = WebSocketConfiguration()
        configuration.closeTimeout = .seconds(1)
        let server = try HTTPServer { [configuration] request in
            .webSocket(answering: request, configuration: configuration) { EchoSession() }
        }
        let client = try await WebSocketTestClient.open(port: server.port)
        try await client.send(Self.text("hello"))
        #expect(try await client.next() == Self.text("hello"))
        async let stopped: Void = server.stop(grace: .seconds(5))

        #expect(try await client.closeCode() == .goingAway)
        try await client.send(.close(.goingAway))
        await stopped
        #expect(server.openConnections == 0)
    }
}

/// Sends 64 KiB frames as fast as the connection takes them.
final class FloodSession: WebSocketSession {
    static let chunk = String(repeating: "z", count: 64 * 1024)
    func opened(_ connection: WebSocketConnection) {}
    func received(_ text: String, on connection: WebSocketConnection) {}
    func tick(_ connection: WebSocketConnection) {
        while connection.canSend { connection.send(text: Self.chunk) }
    }
}
