import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotHTTP

/// The client stays bounded in time and memory whatever the server does, and says what failed.
@Suite struct ClientLimitTests {
    @Test func malformedJSONNamesMethodURLStatusAndExcerpt() async throws {
        try await withServer(handler: { _ in
            HTTPResponse(headers: ["Content-Type": "application/json"], body: Array(#"{"agents": [1, 2"#.utf8))
        }) { server in
            let response = try await quickClient().send(HTTPRequest(url: server.baseURL + "/api/agents/canon"))
            let error = #expect(throws: HTTPError.self) { try response.jsonValue() }

            #expect(error?.kind == .malformedJSON)
            #expect(
                error?.description
                    == "GET \(server.baseURL)/api/agents/canon: HTTP 200: the body is not the expected JSON "
                    + #"(application/json): {"agents": [1, 2"#)
        }
    }

    @Test func nonJSONErrorPageNamesMethodURLStatusAndText() async throws {
        let page = "<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>"
        try await withServer(handler: { _ in
            HTTPResponse(status: 502, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
        }) { server in
            let url = server.baseURL + "/api/agents/register"
            let response = try await quickClient().send(HTTPRequest(method: .post, url: url, body: Array("{}".utf8)))
            let error = #expect(throws: HTTPError.self) { try response.decodeJSON([String: String].self) }

            #expect(error?.kind == .status)
            #expect(error?.status == 502)
            #expect(error?.isTransient == true)
            #expect(error?.description == "POST \(url): HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway")
        }
    }

    @Test func longErrorBodyIsCutToAnExcerpt() async throws {
        try await withServer(handler: { _ in .text(String(repeating: "trace line\n", count: 1000), status: 500) }) {
            server in
            let response = try await quickClient().send(HTTPRequest(url: server.baseURL + "/"))
            let error = #expect(throws: HTTPError.self) { try response.ensureSuccess() }

            #expect(error?.bodyExcerpt?.count == 201)
            #expect(error?.bodyExcerpt?.hasSuffix("…") == true)
        }
    }

    @Test func endlessResponseStopsAtTheSizeLimit() async throws {
        try await withServer(handler: { _ in
            // Unfolding runs the producer in the connection's own task, never on the cooperative pool.
            HTTPResponse(stream: AsyncStream(unfolding: { [UInt8](repeating: 0x41, count: 64 * 1024) }))
        }) { server in
            let client = quickClient { $0.maxResponseBytes = 1024 * 1024 }
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(HTTPRequest(url: server.baseURL + "/endless"))
            }

            #expect(error?.kind == .responseTooLarge)
            #expect(error?.description.contains("larger than the limit of 1048576 bytes") == true)
        }
    }

    @Test func declaredLengthOverTheLimitFailsAtOnce() async throws {
        try await withServer(handler: { _ in .text(String(repeating: "x", count: 5000)) }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient { $0.maxResponseBytes = 4096 }.send(HTTPRequest(url: server.baseURL + "/"))
            }

            #expect(error?.kind == .responseTooLarge)
        }
    }

    @Test func oversizedResponseHeadersFail() async throws {
        try await withServer(handler: { _ in
            HTTPResponse(headers: ["X-Huge": String(repeating: "h", count: 20_000)], body: [])
        }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient { $0.maxHeaderBytes = 8192 }.send(HTTPRequest(url: server.baseURL + "/"))
            }

            #expect(error?.kind == .headersTooLarge)
        }
    }

    @Test func silentServerIsBoundedByTheReadTimeout() async throws {
        try await withServer(handler: { _ in
            try? await Task.sleep(for: .seconds(30))
            return .text("too late")
        }) { server in
            let start = ContinuousClock.now
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient { $0.readTimeout = .milliseconds(200) }.send(
                    HTTPRequest(method: .post, url: server.baseURL + "/slow"))
            }

            #expect(error?.kind == .timedOut)
            #expect(error?.requestSent == true)
            #expect(
                error?.description
                    == "POST \(server.baseURL)/slow: timed out waiting for the response: no data for 200 ms")
            // Only a hang fails (the handler answers after 30 s); a test starved of the pool by other suites can
            // take seconds.
            #expect(ContinuousClock.now - start < .seconds(25))
        }
    }

    @Test func tricklingServerIsBoundedByTheOverallTimeout() async throws {
        try await withServer(handler: { _ in
            HTTPResponse(
                stream: AsyncStream(unfolding: {
                    try? await Task.sleep(for: .milliseconds(20))
                    return [0x2e]
                }))
        }) { server in
            let start = ContinuousClock.now
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient { $0.timeout = .milliseconds(300) }.send(HTTPRequest(url: server.baseURL + "/"))
            }

            #expect(error?.kind == .timedOut)
            #expect(error?.message == "timed out waiting for the response: took longer than 300 ms")
            // Unbounded, the trickle never ends; a starved test can take seconds.
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }

    @Test func redirectLoopIsReportedWithItsChain() async throws {
        try await withServer(handler: { request in
            HTTPResponse(status: 302, headers: ["Location": request.path == "/a" ? "/b" : "/a"])
        }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient().send(HTTPRequest(url: server.baseURL + "/a"))
            }

            #expect(error?.kind == .redirectLoop)
            let base = server.baseURL
            #expect(error?.description == "GET \(base)/a: redirect loop: \(base)/a -> \(base)/b -> \(base)/a")
        }
    }

    @Test func endlessRedirectChainStopsAtTheLimit() async throws {
        try await withServer(handler: { request in
            let next = (Int(request.path.dropFirst()) ?? 0) + 1
            return HTTPResponse(status: 307, headers: ["Location": "/\(next)"])
        }) { server in
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient { $0.maxRedirects = 2 }.send(HTTPRequest(url: server.baseURL + "/0"))
            }

            #expect(error?.kind == .tooManyRedirects)
        }
    }

    @Test func seeOtherTurnsPostIntoGetAndIsFollowed() async throws {
        try await withServer(handler: { request in
            if request.path == "/form" { return HTTPResponse(status: 303, headers: ["Location": "/done?x=1"]) }
            return .text("\(request.method) \(request.path) body=\(request.body.count)")
        }) { server in
            let response = try await quickClient().send(
                HTTPRequest(method: .post, url: server.baseURL + "/form", body: Array("payload".utf8)))

            #expect(response.text == "GET /done body=0")
            #expect(response.url == server.baseURL + "/done?x=1")
        }
    }

    @Test func redirectToHTTPSIsAClearError() async throws {
        try await withServer(handler: { _ in HTTPResponse(status: 301, headers: ["Location": "https://example.org/"]) })
        {
            server in
            let error = await #expect(throws: HTTPError.self) {
                try await quickClient().send(HTTPRequest(url: server.baseURL + "/"))
            }

            #expect(error?.kind == .unsupportedScheme)
            #expect(error?.description.contains("https is not supported") == true)
        }
    }

    @Test func refusedConnectionIsConnectFailedAndTransient() async throws {
        let closed = try ClosedTCPPort()
        let url = "http://127.0.0.1:\(closed.port)/api/status/health"

        let error = await #expect(throws: HTTPError.self) { try await quickClient().send(HTTPRequest(url: url)) }

        #expect(error?.kind == .connectFailed)
        #expect(error?.isTransient == true)
        #expect(error?.requestSent == false)
        #expect(error?.description == "GET \(url): cannot connect to 127.0.0.1:\(closed.port): Connection refused")
    }

    @Test func unansweredConnectIsBoundedByTheConnectTimeout() async throws {
        // A listener that never accepts, with a full accept queue: the kernel drops further SYNs.
        let (listener, port) = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        defer { listener.close() }
        let fillers = try await offPool {
            (0..<3).compactMap { _ in
                try? Socket.connect(host: "127.0.0.1", port: port, until: .now + .milliseconds(100))
            }
        }
        defer { for filler in fillers { filler.close() } }
        let client = quickClient { $0.connectTimeout = .milliseconds(200) }
        let start = ContinuousClock.now

        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        }

        #expect(error?.kind == .timedOut)
        #expect(error?.message == "timed out connecting after 200 ms")
        // Generous for a loaded 2-core machine (a full suite once took 10.1 s here); without the connect
        // timeout the kernel's SYN retries would take over two minutes.
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func cancellingTheTaskAbortsTheExchange() async throws {
        try await withServer(handler: { _ in
            try? await Task.sleep(for: .seconds(300))
            return .text("")
        }) { server in
            let start = ContinuousClock.now
            let task = Task {
                try await quickClient { $0.readTimeout = .seconds(240) }.send(HTTPRequest(url: server.baseURL))
            }
            try await Task.sleep(for: .milliseconds(50))
            task.cancel()
            let result = await task.result

            #expect(throws: HTTPError.self) { try result.get() }
            if case .failure(let error as HTTPError) = result { #expect(error.kind == .cancelled) }
            // Without the cancel it would wait for the 240 s read timeout.
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }
}
