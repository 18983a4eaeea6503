import ChainbotHTTP

/// A failure the simulator injects into matching requests, as ALEX OS and its network really fail.
public struct Fault: Sendable, Hashable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Answer 500 without doing anything.
        case error500
        /// Do the work (register, record the event, delete), then answer 500 anyway.
        case error500AfterCommit
        /// Wait `delay`, then answer normally.
        case delay
        /// Close the connection without answering and without doing anything.
        case drop
        /// Do the work, then close the connection without answering.
        case dropAfterCommit
        /// Answer 502 with an HTML error page, as a proxy in front of a stopped ALEX OS does.
        case down
    }

    public var mode: Mode
    /// Requests whose path starts with this are affected (`/` for every request).
    public var pathPrefix: String
    /// Only requests with this method are affected, when set.
    public var method: HTTPMethod?
    /// How many more requests this fault affects; nil until it is cleared.
    public var remaining: Int?
    /// How long `delay` waits.
    public var delay: Duration
    /// The status `error500` and `error500AfterCommit` answer (500 unless set, e.g. 503).
    public var status: Int

    public init(
        _ mode: Mode, pathPrefix: String = "/", method: HTTPMethod? = nil, count: Int? = nil,
        delay: Duration = .zero, status: Int = 500
    ) {
        self.mode = mode
        self.pathPrefix = pathPrefix
        self.method = method
        self.remaining = count
        self.delay = delay
        self.status = status
    }

    /// Whether this fault applies to a request with `method` and `path`.
    func matches(method: HTTPMethod, path: String) -> Bool {
        remaining != 0 && path.hasPrefix(pathPrefix) && (self.method.map { $0 == method } ?? true)
    }
}
