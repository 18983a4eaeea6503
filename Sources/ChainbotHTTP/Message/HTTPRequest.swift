/// An HTTP request: what the client sends, or what the server received.
///
/// For `HTTPClient.send`, `url` is absolute (`http://127.0.0.1:8000/api/status/health`); a server's
/// handler gets the request target as received (`/api/status/health?verbose=1`). `path` and `query`
/// read either form.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The whole-exchange timeout for this request, overriding the client's.
    public var timeout: Duration?
    /// The protocol version the request was received with (`HTTP/1.1` or `HTTP/1.0`).
    public internal(set) var version: String = "HTTP/1.1"

    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The path without the query, still percent-encoded, e.g. `/api/agents/register`.
    public var path: String {
        var target = Substring(url)
        if let scheme = target.firstRange(of: "://") {
            let afterScheme = target[scheme.upperBound...]
            target = afterScheme.firstIndex { $0 == "/" || $0 == "?" }.map { afterScheme[$0...] } ?? "/"
        }
        let path = target.prefix { $0 != "?" && $0 != "#" }
        return path.isEmpty ? "/" : String(path)
    }

    /// The text after `?`, if any.
    public var query: String? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        return String(url[url.index(after: mark)...].prefix { $0 != "#" })
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
