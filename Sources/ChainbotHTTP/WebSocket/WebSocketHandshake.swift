import ChainbotCore

/// The server's side of the opening handshake (RFC 6455 §4.2): which requests ask for an upgrade, what
/// is wrong with one that cannot get it, and the `Sec-WebSocket-Accept` value of the 101 answer.
public enum WebSocketHandshake {
    /// The GUID every server appends to the client's key before hashing (§1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// base64(SHA-1(key + GUID)): proves to the client that this server read its key.
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + guid).utf8)))
    }

    /// Whether `request` asks to be upgraded to a WebSocket (`Upgrade: websocket`).
    public static func isUpgradeRequest(_ request: HTTPRequest) -> Bool {
        request.headers.hasToken("websocket", in: "Upgrade")
    }

    /// The answer to an upgrade request that breaks §4.2.1 (400, or 426 naming version 13 for another
    /// version); nil when it may be upgraded.
    public static func problem(with request: HTTPRequest) -> HTTPResponse? {
        func bad(_ text: String) -> HTTPResponse { .text("WebSocket handshake: \(text)\n", status: 400) }
        guard request.method == .get else { return bad("the method must be GET") }
        guard request.version == "HTTP/1.1" else { return bad("HTTP/1.1 is required") }
        guard isUpgradeRequest(request) else { return bad("Upgrade: websocket is missing") }
        guard request.headers.hasToken("upgrade", in: "Connection") else {
            return bad("Connection: Upgrade is missing")
        }
        guard request.headers["Sec-WebSocket-Version"]?.trimmingSpaces() == "13" else {
            var response = HTTPResponse.text("WebSocket handshake: only version 13 is spoken\n", status: 426)
            response.headers["Sec-WebSocket-Version"] = "13"
            return response
        }
        guard let key = request.headers["Sec-WebSocket-Key"]?.trimmingSpaces(), Base64.decode(key)?.count == 16
        else { return bad("Sec-WebSocket-Key must be 16 bytes in Base64") }
        return nil
    }

    /// The subprotocols the client offered (`Sec-WebSocket-Protocol`, comma-separated), in its order.
    public static func offeredProtocols(_ request: HTTPRequest) -> [String] {
        request.headers.values(for: "Sec-WebSocket-Protocol").flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// The head of the 101 answer to a valid upgrade `request`, choosing `subprotocol` when given.
    static func switchingHeaders(for request: HTTPRequest, subprotocol: String?) -> HTTPHeaders {
        let key = request.headers["Sec-WebSocket-Key"]?.trimmingSpaces() ?? ""
        var headers: HTTPHeaders = [
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": acceptValue(forKey: key),
        ]
        if let subprotocol { headers["Sec-WebSocket-Protocol"] = subprotocol }
        return headers
    }
}
