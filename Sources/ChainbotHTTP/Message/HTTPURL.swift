/// An `http://host[:port][/path][?query]` URL, split into what a request needs.
///
/// Only plain HTTP: there is no TLS in chainbot, so an `https` URL is rejected with a clear error.
/// IPv6 literals are written in brackets (`http://[::1]:8000/`). Fragments are dropped.
public struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address, without brackets.
    public var host: String
    public var port: Int
    /// The origin-form request target: the path (starting with `/`) and `?query` if any.
    public var target: String

    public init(host: String, port: Int = 80, target: String = "/") {
        self.host = host
        self.port = port
        self.target = target
    }

    /// Parses `text`; throws `.invalidURL` or `.unsupportedScheme` naming the text.
    public init(parsing text: String) throws(HTTPError) {
        func invalid(_ why: String) -> HTTPError { HTTPError(.invalidURL, url: text, message: why) }
        guard let schemeEnd = text.firstRange(of: "://") else { throw invalid("expected http://HOST[:PORT]/PATH") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            throw HTTPError(
                .unsupportedScheme, url: text,
                message: scheme == "https"
                    ? "https is not supported (chainbot speaks plain HTTP only; use http:// to a local endpoint)"
                    : "unsupported scheme '\(scheme)' (only http:// is supported)")
        }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        if authority.contains("@") { throw invalid("user information in a URL is not supported") }
        var host: Substring
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            authority = authority[authority.index(after: close)...]
            if !authority.isEmpty && !authority.hasPrefix(":") { throw invalid("unexpected text after ']'") }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            authority = authority[colon...]
        } else {
            host = authority
            authority = ""
        }
        if authority.hasPrefix(":") {
            guard let number = Int(authority.dropFirst()), (1...65535).contains(number) else {
                throw invalid("port must be a number from 1 to 65535")
            }
            port = number
        }
        guard !host.isEmpty else { throw invalid("missing host") }
        guard host.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "%" }) else {
            throw invalid("host must be plain ASCII")
        }
        guard target.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw invalid("the path must be percent-encoded ASCII without spaces")
        }
        self.host = String(host)
        self.port = port
        self.target = target.isEmpty ? "/" : target.hasPrefix("?") ? "/" + target : String(target)
    }

    /// The URL a `Location` value points to, relative to this one (absolute URLs are parsed as they are).
    public func resolving(_ location: String) throws(HTTPError) -> HTTPURL {
        if location.contains("://") { return try HTTPURL(parsing: location) }
        if location.hasPrefix("//") { return try HTTPURL(parsing: "http:" + location) }
        var copy = self
        if location.hasPrefix("/") {
            copy.target = location
        } else {
            let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            copy.target = String(directory) + location
        }
        if let hash = copy.target.firstIndex(of: "#") { copy.target = String(copy.target[..<hash]) }
        return copy
    }

    /// `host:port` as the `Host` header wants it (the port is left out when it is 80).
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    public var description: String { "http://\(hostHeader)\(target)" }
}
