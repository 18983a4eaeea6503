/// A `ws://host[:port][/path][?query]` URL, what a WebSocket client connects to.
///
/// Only `ws://`: chainbot has no TLS, so `wss://` is refused with a clear error (ALEX OS's bus runs on the
/// same Pi, on loopback).
public struct WebSocketURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The origin-form request target: the path (starting with `/`) and `?query` if any.
    public var target: String

    /// Parses `text`; an error names the text and says what is wrong.
    public init(parsing text: String) throws(WebSocketClientError) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw WebSocketClientError(.invalidURL, url: text, "expected ws://HOST[:PORT]/PATH")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "ws" else {
            let why =
                scheme == "wss"
                ? "wss:// is not supported (chainbot speaks no TLS; use ws:// to a local bus)"
                : "unsupported scheme '\(scheme)' (only ws:// is supported)"
            throw WebSocketClientError(.invalidURL, url: text, why)
        }
        let http: HTTPURL
        do { http = try HTTPURL(parsing: "http" + text[schemeEnd.lowerBound...]) } catch {
            throw WebSocketClientError(.invalidURL, url: text, error.message)
        }
        host = http.host
        port = http.port
        target = http.target
    }

    /// `host:port` as the `Host` header wants it (the port is left out when it is 80).
    var hostHeader: String { HTTPURL(host: host, port: port, target: target).hostHeader }

    public var description: String { "ws://\(hostHeader)\(target)" }
}

/// The client's side of the opening handshake (RFC 6455 §4.1): the upgrade request and the checks of
/// the server's answer.
enum WebSocketClientHandshake {
    /// A fresh `Sec-WebSocket-Key`: 16 random bytes in Base64.
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The GET that asks `url` for an upgrade, with `extra` headers (a token, a subprotocol offer).
    static func request(_ url: WebSocketURL, key: String, extra: HTTPHeaders) -> [UInt8] {
        var headers = extra
        headers["Host"] = url.hostHeader
        headers["Upgrade"] = "websocket"
        headers["Connection"] = "Upgrade"
        headers["Sec-WebSocket-Key"] = key
        headers["Sec-WebSocket-Version"] = "13"
        return HeadWriter.request(method: .get, target: url.target, headers: headers)
    }

    /// Why the server's answer does not complete the handshake (§4.1, the client's checks); nil when it does.
    static func problem(status: Int, headers: HTTPHeaders, key: String, offered: [String]) -> String? {
        guard status == 101 else { return "the server answered \(status) instead of 101 Switching Protocols" }
        guard headers.hasToken("websocket", in: "Upgrade") else { return "the answer lacks Upgrade: websocket" }
        guard headers.hasToken("upgrade", in: "Connection") else { return "the answer lacks Connection: Upgrade" }
        guard headers["Sec-WebSocket-Accept"]?.trimmingSpaces() == WebSocketHandshake.acceptValue(forKey: key) else {
            return "Sec-WebSocket-Accept does not match the key sent"
        }
        // No extension was offered, so none may be in use (§4.1, point 5).
        if let extensions = headers["Sec-WebSocket-Extensions"], !extensions.isEmpty {
            return "the server chose an extension that was not offered"
        }
        if let chosen = headers["Sec-WebSocket-Protocol"]?.trimmingSpaces(), !offered.contains(chosen) {
            return "the server chose a subprotocol that was not offered"
        }
        return nil
    }
}
