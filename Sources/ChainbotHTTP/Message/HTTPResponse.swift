/// The body of a response: bytes, a stream of chunks written as they come, or nothing at all because
/// the server is to drop the connection instead of answering (for fault injection).
public enum HTTPBody: Sendable {
    case bytes([UInt8])
    /// Sent with `Transfer-Encoding: chunked` (HTTP/1.1) as the stream yields; ends when the stream does,
    /// and is cancelled (its `onTermination` called) when the client goes away.
    ///
    /// The server iterates the stream on the connection's own thread, 16 chunks ahead at most. An
    /// `AsyncStream(unfolding:)` producer runs there too; one fed from an unstructured `Task {}` runs on
    /// the cooperative pool.
    case stream(AsyncStream<[UInt8]>)
    /// The server closes the connection without writing a response.
    case dropConnection
    /// The server writes the head (a `101 Switching Protocols`) and hands the connection over; see
    /// `HTTPResponse.webSocket`.
    case upgrade(HTTPUpgrade)
}

/// An HTTP response: what a handler returns, or what the client received.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: HTTPBody
    /// The method of the request this answers (set by `HTTPClient`; a fake transport sets it too, so
    /// that errors name it).
    public var requestMethod: HTTPMethod?
    /// The URL this response came from, the last one when redirects were followed (set by `HTTPClient`).
    public var url: String?

    public init(status: Int = 200, reason: String? = nil, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.reason = reason ?? HTTPStatus.reason(for: status)
        self.headers = headers
        self.body = .bytes(body)
    }

    /// A response whose body is written chunk by chunk as `stream` yields (for Server-Sent Events).
    public init(status: Int = 200, headers: HTTPHeaders = [:], stream: AsyncStream<[UInt8]>) {
        self.status = status
        self.reason = HTTPStatus.reason(for: status)
        self.headers = headers
        self.body = .stream(stream)
    }

    /// A plain-text response.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// An answer that is no answer: the server closes the connection without writing anything.
    public static var dropConnection: HTTPResponse {
        var response = HTTPResponse(status: 0, reason: "")
        response.body = .dropConnection
        return response
    }

    /// The body bytes (empty for a streamed body).
    public var bytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Returns the response when its status is 2xx; otherwise throws a `.status` error naming the
    /// method, URL and status, with an excerpt of the body.
    @discardableResult
    public func ensureSuccess() throws(HTTPError) -> HTTPResponse {
        guard isSuccess else { throw HTTPError.status(self) }
        return self
    }
}
