import Testing

@testable import ChainbotHTTP

/// The server refuses what is too big, drops what is too slow, and stops cleanly.
@Suite struct ServerLimitTests {
    @Test func oversizedHeadersGet431() async throws {
        try await withServer({ $0.maxHeaderBytes = 1024 }, handler: { _ in .text("ok") }) { server in
            var request = HTTPRequest(url: server.baseURL + "/")
            request.headers["X-Big"] = String(repeating: "b", count: 4096)
            let response = try await quickClient().send(request)

            #expect(response.status == 431)
            #expect(response.headers["Connection"] == "close")
        }
    }

    @Test func oversizedBodyGets413BeforeTheHandlerRuns() async throws {
        let calls = Recorder<String>()
        try await withServer(
            { $0.maxBodyBytes = 1000 },
            handler: { request in
                await calls.add(request.path)
                return .text("ok")
            }
        ) { server in
            let request = HTTPRequest(
                method: .post, url: server.baseURL + "/upload", body: [UInt8](repeating: 1, count: 64 * 1024))
            let response = try await quickClient().send(request)

            #expect(response.status == 413)
            #expect(await calls.values.isEmpty)
        }
    }

    @Test func oversizedChunkedBodyGets413() async throws {
        try await withServer({ $0.maxBodyBytes = 10 }, handler: { _ in .text("ok") }) { server in
            let connection = try await RawConnection.open(
                port: server.port,
                sending: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n"
            )

            #expect(try await connection.readResponse().status == 413)
        }
    }

    @Test func malformedRequestsGet400Or501() async throws {
        try await withServer(handler: { _ in .text("ok") }) { server in
            let badLine = try await RawConnection.open(
                port: server.port, sending: "GET /\r\n\r\n")
            let smuggled = try await RawConnection.open(
                port: server.port,
                sending: "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            let gzip = try await RawConnection.open(
                port: server.port, sending: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")

            #expect(try await badLine.readResponse().status == 400)
            #expect(try await smuggled.readResponse().status == 400)
            #expect(try await gzip.readResponse().status == 501)
        }
    }

    @Test func slowLorisClientIsAnswered408AndDropped() async throws {
        try await withServer({ $0.headerTimeout = .milliseconds(300) }, handler: { _ in .text("ok") }) { server in
            let start = ContinuousClock.now
            let connection = try await RawConnection.open(port: server.port, sending: "GET / HTTP/1.1\r\n")
            for _ in 0..<4 {
                try await Task.sleep(for: .milliseconds(100))
                try? await connection.send("X-Slow: 1\r\n")
            }
            let response = try await connection.readResponse()

            #expect(response.status == 408)
            #expect(await connection.isClosedByPeer(within: .seconds(2)))
            // Bounded (without the header timeout it never ends), with room for a loaded 2-core machine
            // (a full run once took 30.2 s here).
            #expect(ContinuousClock.now - start < .seconds(240))
        }
    }

    @Test func idleKeptAliveConnectionIsClosedSilently() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(200) }, handler: { _ in .text("ok") }) { server in
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await connection.readResponse()
            let start = ContinuousClock.now

            #expect(await connection.isClosedByPeer(within: .seconds(2)))
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test func connectionsBeyondTheLimitGet503() async throws {
        try await withServer({ $0.maxConnections = 1 }, handler: { _ in .text("ok") }) { server in
            let first = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await first.readResponse()
            let second = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")

            #expect(try await second.readResponse().status == 503)
        }
    }

    @Test func stopLetsTheRequestInFlightFinish() async throws {
        let started = Recorder<String>()
        let server = try HTTPServer(handler: { request in
            await started.add(request.path)
            try? await Task.sleep(for: .milliseconds(200))
            return .text("finished")
        })
        let url = server.baseURL + "/"
        // A starved runner can take many seconds to get the request in: the bounds only catch a hang.
        let patient = quickClient {
            $0.connectTimeout = .seconds(120)
            $0.readTimeout = .seconds(120)
            $0.timeout = .seconds(240)
        }
        let pending = Task { try await patient.send(HTTPRequest(url: url)) }
        let deadline = ContinuousClock.now + .seconds(240)
        while await started.values.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(await !started.values.isEmpty, "the request never reached the handler")
        await server.stop(grace: .seconds(120))

        let response = try await pending.value
        #expect(response.text == "finished")
        #expect(response.headers["Connection"] == "close")
        // The port is free once the server has stopped, so a server of a test running beside this one may have
        // taken it: what must hold is that this server serves nothing more, refused or answered by another.
        let after = try? await quickClient().send(HTTPRequest(url: server.baseURL + "/after-stop"))
        #expect(after?.text != "finished", "the stopped server answered")
        #expect(await !started.values.contains("/after-stop"), "the stopped server handled a request")
    }

    @Test func stopIsQuickWithIdleConnectionsOpen() async throws {
        var configuration = HTTPServer.Configuration()
        configuration.idleTimeout = .seconds(300)
        let server = try HTTPServer(configuration: configuration, handler: { _ in .text("ok") })
        var connections: [RawConnection] = []
        for _ in 0..<3 {
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try await connection.readResponse()
            connections.append(connection)
        }
        let start = ContinuousClock.now
        await server.stop(grace: .seconds(120))

        // Waiting for the idle connections would take the 120 s grace (they idle out only after 300 s);
        // a starved test can take seconds (5.5 s was seen in a full run).
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(server.openConnections == 0)
    }

    @Test func stopDoesNotWaitForAConnectionThatNeverSendsARequest() async throws {
        var configuration = HTTPServer.Configuration()
        configuration.idleTimeout = .seconds(300)
        // Or the server drops the silent connection after 15 s, which a starved test (another build
        // beside the suite) took to look for it.
        configuration.firstHeadTimeout = .seconds(300)
        configuration.headerTimeout = .seconds(300)
        let server = try HTTPServer(configuration: configuration, handler: { _ in .text("ok") })
        let silent = try await RawConnection.open(port: server.port)
        let deadline = ContinuousClock.now + .seconds(240)
        while server.openConnections == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(server.openConnections > 0, "the server never saw the connection")
        let start = ContinuousClock.now
        await server.stop(grace: .seconds(120))

        // Waiting would take the 120 s grace; a starved test can take seconds.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(await silent.isClosedByPeer(within: .seconds(1)))
    }

    @Test func streamEndsWhenTheClientGoesAway() async throws {
        let ended = Recorder<String>()
        try await withServer(handler: { _ in
            HTTPResponse(
                stream: AsyncStream { continuation in
                    continuation.yield(Array("data: hello\n\n".utf8))
                    continuation.onTermination = { _ in Task { await ended.add("terminated") } }
                })
        }) { server in
            let connection = try await RawConnection.open(
                port: server.port, sending: "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await connection.readHead()
            connection.socket.close()
            let start = ContinuousClock.now
            while await ended.values.isEmpty && ContinuousClock.now - start < .seconds(240) {
                try await Task.sleep(for: .milliseconds(10))
            }

            #expect(head.contains("Transfer-Encoding: chunked"))
            #expect(await ended.values == ["terminated"])
        }
    }

    @Test func stopCutsOffAnEndlessStream() async throws {
        let server = try HTTPServer(handler: { _ in HTTPResponse(stream: AsyncStream { _ in }) })
        let connection = try await RawConnection.open(
            port: server.port, sending: "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try await connection.readHead()
        let start = ContinuousClock.now
        await server.stop(grace: .milliseconds(100))

        // The stream never ends by itself; a starved test can take seconds.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(server.openConnections == 0)
        #expect(await connection.isClosedByPeer(within: .seconds(1)))
    }

    @Test func bindingATakenPortFails() async throws {
        try await withServer(handler: { _ in .text("") }) { server in
            let error = #expect(throws: HTTPError.self) {
                try HTTPServer(configuration: HTTPServer.Configuration(port: server.port), handler: { _ in .text("") })
            }

            #expect(error?.kind == .bindFailed)
            #expect(error?.description == "cannot listen on 127.0.0.1:\(server.port): Address already in use")
        }
    }
}
