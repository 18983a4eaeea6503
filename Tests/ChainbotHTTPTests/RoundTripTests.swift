import ChainbotCore
import Testing

@testable import ChainbotHTTP

/// Client and server over loopback: bodies, framing, keep-alive.
@Suite struct RoundTripTests {
    struct Greeting: Codable, Equatable {
        var name: String
        var count: Int
    }

    @Test func roundTripsJSONWithContentLength() async throws {
        try await withServer(handler: { request in
            guard let greeting = try? request.decodeJSON(Greeting.self) else { return .text("bad", status: 400) }
            return .json(.object([("hello", .string(greeting.name)), ("next", .int(greeting.count + 1))]))
        }) { server in
            let request = try HTTPRequest.json(
                .post, url: server.baseURL + "/greet", body: Greeting(name: "pi", count: 41))
            let response = try await quickClient().send(request)

            #expect(response.status == 200)
            #expect(response.headers["Content-Length"] == String(response.bytes.count))
            #expect(try response.jsonValue() == .object([("hello", .string("pi")), ("next", .int(42))]))
        }
    }

    @Test func handlerSeesMethodPathQueryHeadersAndBody() async throws {
        let seen = Recorder<HTTPRequest>()
        try await withServer(handler: { request in
            await seen.add(request)
            return HTTPResponse(status: 204)
        }) { server in
            var request = HTTPRequest(method: .put, url: server.baseURL + "/a/b%20c?x=1&y=2", body: Array("data".utf8))
            request.headers["X-Trace"] = "abc"
            let response = try await quickClient().send(request)

            #expect(response.status == 204)
            let received = try #require(await seen.values.first)
            #expect(received.method == .put)
            #expect(received.path == "/a/b%20c")
            #expect(received.query == "x=1&y=2")
            #expect(received.headers["x-trace"] == "abc")
            #expect(received.headers["Host"] == "127.0.0.1:\(server.port)")
            #expect(received.bodyText == "data")
        }
    }

    @Test func streamedBodyArrivesChunkedAndWhole() async throws {
        try await withServer(handler: { _ in
            HTTPResponse(
                headers: ["Content-Type": "text/event-stream"],
                stream: AsyncStream { continuation in
                    for index in 1...5 { continuation.yield(Array("data: \(index)\n\n".utf8)) }
                    continuation.finish()
                })
        }) { server in
            let response = try await quickClient().send(HTTPRequest(url: server.baseURL + "/events"))

            #expect(response.headers["Transfer-Encoding"] == "chunked")
            #expect(response.text == (1...5).map { "data: \($0)\n\n" }.joined())
        }
    }

    @Test func keptAliveConnectionServesSeveralRequestsIncludingPipelined() async throws {
        try await withServer(handler: { request in .text("you asked for \(request.path)") }) { server in
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await connection.readResponse()
            try await connection.send("GET /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\n\r\n")
            let second = try await connection.readResponse()
            let third = try await connection.readResponse()

            #expect(first.body == "you asked for /one")
            #expect(second.body == "you asked for /two")
            #expect(third.body == "you asked for /three")
            #expect(first.headers["Connection"] == nil)
        }
    }

    @Test func connectionCloseIsHonouredAndAnnounced() async throws {
        try await withServer(handler: { _ in .text("bye") }) { server in
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let response = try await connection.readResponse()

            #expect(response.headers["Connection"] == "close")
            #expect(await connection.isClosedByPeer(within: .seconds(1)))
        }
    }

    @Test func chunkedRequestBodyAndExpectContinueAreUnderstood() async throws {
        // Generous read limits: between the interim 100 and the body a starved test may stall for seconds.
        let patient: (inout HTTPServer.Configuration) -> Void = {
            $0.readTimeout = .seconds(120)
            $0.bodyTimeout = .seconds(120)
        }
        try await withServer(patient, handler: { request in .text("got \(request.bodyText)") }) { server in
            let connection = try await RawConnection.open(
                port: server.port,
                sending: "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
            let interim = try await connection.readResponse()
            try await connection.send("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
            let response = try await connection.readResponse()

            #expect(interim.status == 100)
            #expect(response.body == "got hello world")
        }
    }

    @Test func http10ClientGetsItsVersionAndAStreamEndedByClose() async throws {
        try await withServer(handler: { request in
            if request.path == "/stream" {
                return HTTPResponse(
                    stream: AsyncStream {
                        $0.yield(Array("streamed".utf8)); $0.finish()
                    })
            }
            return .text("plain")
        }) { server in
            let plain = try await RawConnection.open(port: server.port, sending: "GET / HTTP/1.0\r\n\r\n")
            let plainResponse = try await plain.readResponse()
            let streamed = try await RawConnection.open(port: server.port, sending: "GET /stream HTTP/1.0\r\n\r\n")
            let head = try await streamed.readHead()

            #expect(plainResponse.body == "plain")
            #expect(plainResponse.headers["Connection"] == "close")
            #expect(await plain.isClosedByPeer(within: .seconds(2)))
            #expect(head.hasPrefix("HTTP/1.0 200 OK\r\n"))
            #expect(!head.contains("chunked"))
            #expect(await streamed.isClosedByPeer(within: .seconds(2)))
        }
    }

    @Test func connectionIsClosedAfterItsRequestLimit() async throws {
        try await withServer({ $0.maxRequestsPerConnection = 2 }, handler: { _ in .text("ok") }) { server in
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try await connection.readResponse()
            let second = try await connection.readResponse()

            #expect(first.headers["Connection"] == nil)
            #expect(second.headers["Connection"] == "close")
            #expect(await connection.isClosedByPeer(within: .seconds(2)))
        }
    }

    @Test func headRequestGetsHeadersWithoutBody() async throws {
        try await withServer(handler: { _ in .text("twelve bytes") }) { server in
            let response = try await quickClient().send(HTTPRequest(method: .head, url: server.baseURL + "/"))

            #expect(response.status == 200)
            #expect(response.headers["Content-Length"] == "12")
            #expect(response.bytes.isEmpty)
        }
    }

    @Test func manySequentialRequestsAreQuick() async throws {
        try await withServer(handler: { _ in .json(.object([("status", .string("healthy"))])) }) { server in
            let client = quickClient()
            let start = ContinuousClock.now
            for _ in 0..<100 { _ = try await client.send(HTTPRequest(url: server.baseURL + "/health")).ensureSuccess() }
            let perRequest = (ContinuousClock.now - start) / 100
            print("HTTP round trip over loopback, new connection each: \(perRequest)")

            // Not a performance bound (BENCHMARKS.md has the figures): it catches a stall per request, such as
            // a connect that waits for a timeout. Generous, since other suites and builds beside the run may
            // keep the pool busy (0.50 s per request was seen with another build running).
            #expect(perRequest < .seconds(5))
        }
    }
}

/// Collects values from handlers running on other tasks.
actor Recorder<Value: Sendable> {
    private(set) var values: [Value] = []
    func add(_ value: Value) { values.append(value) }
}
