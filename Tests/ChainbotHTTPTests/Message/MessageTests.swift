import Testing

@testable import ChainbotHTTP

/// URLs, headers and message heads, without sockets.
@Suite struct MessageTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000/api/agents/canon?x=1", "127.0.0.1", 8000, "/api/agents/canon?x=1"),
        ("http://localhost", "localhost", 80, "/"),
        ("HTTP://Pi.local:9000?q", "Pi.local", 9000, "/?q"),
        ("http://[::1]:8000/a#frag", "::1", 8000, "/a"),
    ])
    func parsesURL(text: String, host: String, port: Int, target: String) throws {
        let url = try HTTPURL(parsing: text)

        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.target == target)
    }

    @Test(arguments: [
        ("https://127.0.0.1/", HTTPError.Kind.unsupportedScheme),
        ("ftp://host/", .unsupportedScheme),
        ("127.0.0.1:8000", .invalidURL),
        ("http://:80/", .invalidURL),
        ("http://host:99999/", .invalidURL),
        ("http://host/a b", .invalidURL),
        ("http://user@host/", .invalidURL),
    ])
    func rejectsURL(text: String, kind: HTTPError.Kind) {
        let error = #expect(throws: HTTPError.self) { try HTTPURL(parsing: text) }

        #expect(error?.kind == kind)
        #expect(error?.url == text)
    }

    @Test func httpsErrorSaysWhy() {
        let error = #expect(throws: HTTPError.self) { try HTTPURL(parsing: "https://10.42.69.208:8000/") }

        #expect(
            error?.description
                == "https://10.42.69.208:8000/: https is not supported (chainbot speaks plain HTTP only; "
                + "use http:// to a local endpoint)")
    }

    @Test func resolvesRelativeLocations() throws {
        let base = try HTTPURL(parsing: "http://h:1/a/b?x")

        #expect(try base.resolving("/c").description == "http://h:1/c")
        #expect(try base.resolving("d").description == "http://h:1/a/d")
        #expect(try base.resolving("http://o/").description == "http://o/")
    }

    @Test func headersAreCaseInsensitiveAndKeepOrder() {
        var headers: HTTPHeaders = ["Content-Type": "a", "Set-Cookie": "1"]
        headers.add(name: "set-cookie", value: "2")
        headers["CONTENT-TYPE"] = "b"

        #expect(headers["content-type"] == "b")
        #expect(headers.values(for: "Set-Cookie") == ["1", "2"])
        #expect(headers.fields.map(\.name) == ["Content-Type", "Set-Cookie", "set-cookie"])
        headers["set-cookie"] = nil
        #expect(headers.fields.map(\.name) == ["Content-Type"])
    }

    @Test func headerValuesCannotInjectLines() {
        let bytes = HeadWriter.response(status: 200, reason: "OK", headers: ["X-A": "1\r\nX-Injected: 2"])

        #expect(String(decoding: bytes, as: UTF8.self) == "HTTP/1.1 200 OK\r\nX-A: 1 X-Injected: 2\r\n\r\n")
    }

    @Test func parsesHeadWithBareLineFeeds() throws {
        let head = try MessageHead(parsing: Array("GET /x HTTP/1.0\nA:  b \n\n".utf8), isRequest: true)

        #expect(head.startLine == ("GET", "/x", "HTTP/1.0"))
        #expect(head.headers["a"] == "b")
    }

    @Test(arguments: ["GET /x HTTP/2.0\r\n\r\n", "GET  /x HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1\r\n folded\r\n\r\n"])
    func rejectsBadRequestHead(text: String) {
        #expect(throws: WireError.self) { try MessageHead(parsing: Array(text.utf8), isRequest: true) }
    }

    @Test func conflictingContentLengthsAreMalformed() throws {
        let headers: HTTPHeaders = ["Content-Length": "3", "content-length": "4"]

        #expect(throws: WireError.self) { try BodyFraming.request(headers) }
        #expect(try BodyFraming.request(["Content-Length": "3, 3"]) == .length(3))
    }
}
