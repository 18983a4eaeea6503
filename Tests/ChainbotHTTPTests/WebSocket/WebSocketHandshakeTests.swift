import Testing

@testable import ChainbotHTTP

/// The opening handshake (RFC 6455 §4.2): the accept value, and the answers to requests that cannot be
/// upgraded.
struct WebSocketHandshakeTests {
    static func upgrade(_ headers: [(String, String)]) -> HTTPRequest {
        var request = HTTPRequest(url: "/ws")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return request
    }

    static let valid: [(String, String)] = [
        ("Host", "127.0.0.1"), ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
    ]

    @Test func computesTheRFCsExampleAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func aValidRequestIsAnswered101WithTheAcceptValueAndTheChosenSubprotocol() {
        let request = Self.upgrade(Self.valid + [("Sec-WebSocket-Protocol", "bearer.x, chainbot")])
        let response = HTTPResponse.webSocket(answering: request, subprotocol: "chainbot") { EchoSession() }

        #expect(response.status == 101)
        #expect(response.headers["Sec-WebSocket-Accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(response.headers["Sec-WebSocket-Protocol"] == "chainbot")
        #expect(WebSocketHandshake.offeredProtocols(request) == ["bearer.x", "chainbot"])
    }

    @Test func anotherVersionIsAnswered426NamingVersion13() {
        let request = Self.upgrade(
            Self.valid.filter { $0.0 != "Sec-WebSocket-Version" } + [("Sec-WebSocket-Version", "8")])
        let response = WebSocketHandshake.problem(with: request)

        #expect(response?.status == 426)
        #expect(response?.headers["Sec-WebSocket-Version"] == "13")
    }

    @Test(arguments: ["Upgrade", "Connection", "Sec-WebSocket-Key"])
    func aRequestMissingAHandshakeHeaderIsAnswered400(missing: String) {
        let response = WebSocketHandshake.problem(with: Self.upgrade(Self.valid.filter { $0.0 != missing }))

        #expect(response?.status == 400)
        #expect(response?.text.contains("WebSocket handshake") == true)
    }

    @Test func aKeyThatIsNotSixteenBytesIsAnswered400() {
        let request = Self.upgrade(
            Self.valid.filter { $0.0 != "Sec-WebSocket-Key" } + [("Sec-WebSocket-Key", "c2hvcnQ=")])

        #expect(WebSocketHandshake.problem(with: request)?.status == 400)
    }

    @Test func base64RoundTripsEveryPaddingLength() {
        for count in 0..<8 {
            let bytes = (0..<count).map { UInt8($0 * 37 + 1) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!mFy") == nil)
    }
}

/// Echoes every text message back.
final class EchoSession: WebSocketSession {
    func opened(_ connection: WebSocketConnection) {}
    func received(_ text: String, on connection: WebSocketConnection) { connection.send(text: text) }
    func tick(_ connection: WebSocketConnection) {}
}
