/// A failed HTTP exchange: what went wrong, on which request, and what the server said if it answered.
///
/// Renders as `POST http://127.0.0.1:8000/api/agents/register: HTTP 500 Internal Server Error: <excerpt>`
/// or `GET http://127.0.0.1:8000/api/agents/canon: timed out: no data for 2 s`.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; decide on this, never on the message text.
    public enum Kind: String, Sendable, Hashable {
        case invalidURL
        case unsupportedScheme
        case invalidRequest
        case connectFailed
        case timedOut
        case connectionClosed
        case malformedResponse
        case responseTooLarge
        case headersTooLarge
        case redirectLoop
        case tooManyRedirects
        /// The server answered with a status that is not 2xx.
        case status
        case malformedJSON
        case cancelled
        case bindFailed
        case system
    }

    public var kind: Kind
    public var method: HTTPMethod?
    /// The URL of the request (the last one when redirects were followed).
    public var url: String?
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// What went wrong, in words.
    public var message: String
    /// A short, whitespace-collapsed excerpt of the response body, when there was one.
    public var bodyExcerpt: String?
    /// Whether the whole request had been sent: a write may then have been carried out even though the
    /// exchange failed, so observe before retrying.
    public var requestSent: Bool

    public init(
        _ kind: Kind, method: HTTPMethod? = nil, url: String? = nil, status: Int? = nil, message: String,
        bodyExcerpt: String? = nil, requestSent: Bool = false
    ) {
        self.kind = kind
        self.method = method
        self.url = url
        self.status = status
        self.message = message
        self.bodyExcerpt = bodyExcerpt
        self.requestSent = requestSent
    }

    /// Whether trying again later can help (timeouts, refused or dropped connections, 5xx, 408, 429).
    public var isTransient: Bool {
        switch kind {
        case .connectFailed, .timedOut, .connectionClosed: true
        case .status: status.map { $0 >= 500 || $0 == 408 || $0 == 429 } ?? false
        default: false
        }
    }

    public var description: String {
        var text = ""
        switch (method, url) {
        case (let method?, let url?): text = "\(method) \(url): "
        case (nil, let url?): text = "\(url): "
        default: break
        }
        text += message
        if let bodyExcerpt, !bodyExcerpt.isEmpty { text += ": " + bodyExcerpt }
        return text
    }

    /// The error for a response whose status is not 2xx.
    static func status(_ response: HTTPResponse) -> HTTPError {
        HTTPError(
            .status, method: response.requestMethod, url: response.url, status: response.status,
            message: "HTTP \(response.status) \(response.reason)",
            bodyExcerpt: excerpt(of: response.bytes, contentType: response.headers["Content-Type"]),
            requestSent: true)
    }

    /// At most `limit` characters of `bytes` as text: HTML tags removed, whitespace collapsed, `…` when cut.
    static func excerpt(of bytes: [UInt8], contentType: String?, limit: Int = 200) -> String? {
        var text = String(decoding: bytes.prefix(64 * 1024), as: UTF8.self)
        if contentType?.lowercased().contains("html") == true || text.hasPrefix("<") { text = stripTags(text) }
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        var collapsed = words.joined(separator: " ")
        guard !collapsed.isEmpty else { return nil }
        if collapsed.count > limit { collapsed = String(collapsed.prefix(limit)) + "…" }
        return collapsed
    }

    private static func stripTags(_ html: String) -> String {
        var out = ""
        var inTag = false
        for character in html {
            if character == "<" {
                inTag = true
                out.append(" ")
            } else if character == ">" && inTag {
                inTag = false
            } else if !inTag {
                out.append(character)
            }
        }
        return out
    }
}
