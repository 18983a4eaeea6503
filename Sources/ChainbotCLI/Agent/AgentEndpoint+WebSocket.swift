import ChainbotCore
import ChainbotHTTP
import ChainbotStore

extension AgentEndpoint {
    /// The paths that upgrade to the live WebSocket feed.
    static let webSocketPaths: Set<String> = ["/ws", "/api/v1/events/ws"]

    /// The subprotocol the endpoint answers with when the client offers it.
    static let webSocketProtocol = "chainbot"

    /// `GET /ws`: upgrades to a WebSocket of JSON messages (`hello`, then `event` and `status`), resuming
    /// after `?since=N` (a change number) when given. The token was checked before.
    func webSocket(_ request: HTTPRequest) -> HTTPResponse {
        let offered = WebSocketHandshake.offeredProtocols(request)
        var configuration = WebSocketConfiguration()
        // Woken by the store's changes, a feed needs the clock only for its safety look and the status
        // (once a second); without the watcher it looks at the store every tick.
        configuration.tickInterval = storeSignal.isWatching ? max(webSocketTick, .seconds(1)) : webSocketTick
        configuration.maxMessageBytes = 4096
        let since = Self.queryValue("since", in: request).flatMap(Int64.init).flatMap { $0 >= 0 ? $0 : nil }
        let (store, statePath, signal) = (store, statePath, storeSignal)
        return .webSocket(
            answering: request, subprotocol: offered.contains(Self.webSocketProtocol) ? Self.webSocketProtocol : nil,
            configuration: configuration
        ) {
            AgentWebSocketSession(store: store, statePath: statePath, signal: signal, since: since)
        }
    }

    /// Whether `request` carries the token in a way a browser's WebSocket can send it: `?token=TOKEN`, or a
    /// `bearer.TOKEN` subprotocol in `Sec-WebSocket-Protocol`.
    static func webSocketToken(_ request: HTTPRequest, matches token: String) -> Bool {
        if let given = queryValue("token", in: request).flatMap(percentDecoded), constantTimeEqual(given, token) {
            return true
        }
        return WebSocketHandshake.offeredProtocols(request).contains { offered in
            offered.hasPrefix("bearer.") && constantTimeEqual(String(offered.dropFirst("bearer.".count)), token)
        }
    }

    /// The value of `name=` in the request's query (as sent, not percent-decoded).
    static func queryValue(_ name: String, in request: HTTPRequest) -> String? {
        for pair in (request.query ?? "").split(separator: "&") where pair.hasPrefix(name + "=") {
            return String(pair.dropFirst(name.count + 1))
        }
        return nil
    }

    /// `text` with `%XX` escapes (and `+` for a space) decoded; nil when an escape is broken or the result
    /// is not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The resources' counts as `/api/v1/status` gives them.
    static func countsJSON(_ statuses: [ResourceStatus]) -> JSONValue {
        .object([
            ("total", .int(statuses.count)), ("synced", .int(statuses.filter { $0.sync == .synced }.count)),
            ("outOfSync", .int(statuses.filter { $0.sync == .outOfSync }.count)),
            ("degraded", .int(statuses.filter { $0.health == .degraded || $0.health == .missing }.count)),
        ])
    }
}
