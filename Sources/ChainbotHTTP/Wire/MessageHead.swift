/// The parsed head of a message: its start line split in three, and its header fields.
struct MessageHead {
    /// Request: method, target, version. Response: version, status code, reason (maybe empty).
    var startLine: (String, String, String)
    var headers: HTTPHeaders

    /// Parses a head as `WireReader.readHead` returns it (lines ending in CRLF or LF).
    init(parsing bytes: [UInt8], isRequest: Bool) throws(WireError) {
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            line.last == 0x0d ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw .malformed("empty message head") }
        let firstText = String(decoding: first, as: UTF8.self)
        let parts = firstText.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if isRequest {
            guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(MessageHead.isTokenByte),
                !parts[1].isEmpty, !parts[1].contains(" ")
            else { throw .malformed("bad request line '\(firstText.prefix(80))'") }
            guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
                throw .malformed("unsupported protocol version '\(parts[2].prefix(20))'")
            }
            startLine = (parts[0], parts[1], parts[2])
        } else {
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, Int(parts[1]) != nil
            else { throw .malformed("bad status line '\(firstText.prefix(80))'") }
            startLine = (parts[0], parts[1], parts.count == 3 ? parts[2] : "")
        }
        headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .malformed("bad header line '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(MessageHead.isTokenByte) else {
                throw .malformed("bad header name '\(String(decoding: name.prefix(80), as: UTF8.self))'")
            }
            let value = line[(colon + 1)...]
            guard !value.contains(where: { $0 == 0 || $0 == 0x0d }) else { throw .malformed("bad header value") }
            headers.add(
                name: String(decoding: name, as: UTF8.self),
                value: String(decoding: value, as: UTF8.self).trimmingSpaces())
        }
    }

    /// Whether `byte` may appear in a method or header name (RFC 9110 `tchar`).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// How a message's body is delimited (RFC 9112 §6).
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    case untilClose

    /// The framing of a request body: `Transfer-Encoding: chunked`, a `Content-Length`, or none.
    static func request(_ headers: HTTPHeaders) throws(WireError) -> BodyFraming {
        if headers.contains("Transfer-Encoding") {
            // A request with both is a request-smuggling attempt as often as a mistake: refuse it.
            if headers.contains("Content-Length") { throw .malformed("both Transfer-Encoding and Content-Length") }
            guard isChunkedLast(headers) else {
                throw .unsupportedCoding(headers.values(for: "Transfer-Encoding").joined(separator: ", "))
            }
            return .chunked
        }
        return try contentLength(headers).map { $0 == 0 ? .none : .length($0) } ?? .none
    }

    /// The framing of a response body to a request with `method`.
    static func response(_ headers: HTTPHeaders, status: Int, method: HTTPMethod) throws(WireError) -> BodyFraming {
        if method == .head || HTTPStatus.forbidsBody(status) { return .none }
        if headers.contains("Transfer-Encoding") { return isChunkedLast(headers) ? .chunked : .untilClose }
        return try contentLength(headers).map { .length($0) } ?? .untilClose
    }

    private static func isChunkedLast(_ headers: HTTPHeaders) -> Bool {
        let codings = headers.values(for: "Transfer-Encoding").flatMap { $0.split(separator: ",") }
        return codings.last.map { $0.trimmingSpaces().lowercased() == "chunked" } ?? false
    }

    private static func contentLength(_ headers: HTTPHeaders) throws(WireError) -> Int? {
        let values = Set(
            headers.values(for: "Content-Length").flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() })
        guard let value = values.first else { return nil }
        guard values.count == 1, value.count <= 18, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let length = Int(value)
        else { throw .malformed("bad Content-Length '\(value.prefix(40))'") }
        return length
    }
}

/// Serializes message heads; values with CR or LF have them replaced by spaces, so no header can
/// inject another.
enum HeadWriter {
    static func request(method: HTTPMethod, target: String, headers: HTTPHeaders) -> [UInt8] {
        serialize(startLine: "\(method.rawValue) \(target) HTTP/1.1", headers: headers)
    }

    static func response(version: String = "HTTP/1.1", status: Int, reason: String, headers: HTTPHeaders) -> [UInt8] {
        serialize(startLine: "\(version) \(status) \(clean(reason))", headers: headers)
    }

    private static func serialize(startLine: String, headers: HTTPHeaders) -> [UInt8] {
        var text = startLine + "\r\n"
        for field in headers where !field.name.isEmpty && field.name.utf8.allSatisfy(MessageHead.isTokenByte) {
            text += field.name + ": " + clean(field.value) + "\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    private static func clean(_ value: String) -> String {
        String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
