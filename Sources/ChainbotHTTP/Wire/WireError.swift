import ChainbotOS

/// Why reading or writing a message on a socket failed; the client and server turn it into an
/// `HTTPError` or a status code.
enum WireError: Error, Sendable {
    /// A deadline passed; the text says which (`no data for 2 s`, `exceeded 5 s`).
    case timedOut(String)
    /// The peer closed the connection before the message was complete.
    case closed
    case headTooLarge(limit: Int)
    case bodyTooLarge(limit: Int)
    case malformed(String)
    /// A `Transfer-Encoding` other than chunked in a request.
    case unsupportedCoding(String)
    case system(SystemError)
}

extension Duration {
    /// A short rendering for messages: `250 ms`, `2 s`, `1.5 s`.
    var shortText: String {
        let milliseconds = Int(pollMilliseconds)
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }
}
