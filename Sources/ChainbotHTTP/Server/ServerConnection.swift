/// One accepted connection, served on its own thread: read a request, run the handler, write the
/// response, and again while the connection is kept alive.
struct ServerConnection: Sendable {
    let id: Int
    let socket: Socket
    let registry: ConnectionRegistry
    let configuration: HTTPServer.Configuration
    let handler: HTTPServer.Handler

    func run() {
        defer {
            socket.close()
            registry.remove(id)
        }
        var reader = WireReader(socket: socket, deadline: .now, idle: configuration.readTimeout)
        let runLoop = ConnectionRunLoop()
        let firstHeadBy = ContinuousClock.now + configuration.firstHeadTimeout
        var served = 0
        while true {
            let headBy = served == 0 ? firstHeadBy : nil
            if reader.buffered == 0 {
                guard waitForRequest(until: headBy) else { return }
            }
            guard registry.markBusy(id) else { return }
            guard let request = readRequest(&reader, headBy: headBy) else { return }
            served += 1
            let response = runLoop.runTask(started: { registry.setTask($0, for: id) }) { [handler] in
                await handler(request)
            }
            if case .upgrade(let upgrade) = response.body {
                return serve(upgrade, response: response, reader: &reader)
            }
            let keepAlive =
                wantsKeepAlive(request) && served < configuration.maxRequestsPerConnection && !registry.isStopping
            guard write(response, to: request, keepAlive: keepAlive, runLoop: runLoop) else { return }
            guard registry.markIdle(id), keepAlive else { return }
        }
    }

    /// Waits for the first bytes of a request, at most the idle timeout and never past `headBy`; false
    /// when none came or the server is stopping (a connection that was idle then closes at once instead
    /// of holding up the stop).
    private func waitForRequest(until headBy: ContinuousClock.Instant?) -> Bool {
        let idleEnd = ContinuousClock.now + configuration.idleTimeout
        let end = headBy.map { min($0, idleEnd) } ?? idleEnd
        while true {
            let now = ContinuousClock.now
            if now >= end { return false }
            if socket.waitReadable(timeout: min(end - now, .milliseconds(100))) { return true }
            if registry.isStopping { return false }
        }
    }

    /// Reads the next request, its head complete by `headBy` at the latest; on a bad one answers
    /// 400/408/413/431/501 and returns nil (close).
    private func readRequest(_ reader: inout WireReader, headBy: ContinuousClock.Instant?) -> HTTPRequest? {
        let headerEnd = ContinuousClock.now + configuration.headerTimeout
        reader.deadline = headBy.map { min($0, headerEnd) } ?? headerEnd
        let head: MessageHead
        do {
            guard let bytes = try reader.readHead(limit: configuration.maxHeaderBytes) else { return nil }
            head = try MessageHead(parsing: bytes, isRequest: true)
        } catch {
            reject(error, hadBytes: reader.buffered > 0)
            return nil
        }
        var request = HTTPRequest(method: HTTPMethod(rawValue: head.startLine.0), url: head.startLine.1)
        request.version = head.startLine.2
        request.headers = head.headers
        do throws(WireError) {
            let framing = try BodyFraming.request(head.headers)
            if case .length(let count) = framing, count > configuration.maxBodyBytes {
                throw WireError.bodyTooLarge(limit: configuration.maxBodyBytes)
            }
            if framing != .none && head.headers.hasToken("100-continue", in: "Expect") {
                let interim = HeadWriter.response(
                    version: request.version, status: 100, reason: "Continue", headers: HTTPHeaders())
                try socket.send(interim, until: .now + configuration.readTimeout, idle: configuration.readTimeout)
            }
            reader.deadline = .now + configuration.bodyTimeout
            request.body = try reader.readBody(
                framing, limit: configuration.maxBodyBytes, trailerLimit: configuration.maxHeaderBytes)
        } catch {
            reject(error, hadBytes: true)
            return nil
        }
        return request
    }

    private func wantsKeepAlive(_ request: HTTPRequest) -> Bool {
        if request.headers.hasToken("close", in: "Connection") { return false }
        if request.version == "HTTP/1.0" { return request.headers.hasToken("keep-alive", in: "Connection") }
        return true
    }

    /// Answers a request that could not be read with the fitting status (nothing when the peer left).
    private func reject(_ error: WireError, hadBytes: Bool) {
        let status: Int
        switch error {
        case .closed, .system: return
        case .timedOut: guard hadBytes else { return }; status = 408
        case .headTooLarge: status = 431
        case .bodyTooLarge: status = 413
        case .malformed: status = 400
        case .unsupportedCoding: status = 501
        }
        let body = Array("\(status) \(HTTPStatus.reason(for: status))\n".utf8)
        let head = HeadWriter.response(
            status: status, reason: HTTPStatus.reason(for: status),
            headers: [
                "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.count),
                "Connection": "close",
            ])
        try? socket.send(head + body, until: .now + configuration.readTimeout, idle: configuration.readTimeout)
        lingeringClose()
    }

    /// Ends sending, then reads and discards what the client still sends (briefly), so the kernel does not
    /// reset the connection and destroy the error response before the client reads it.
    private func lingeringClose() {
        socket.shutdownWrite()
        var reader = WireReader(socket: socket, deadline: .now + .milliseconds(500), idle: .milliseconds(500))
        _ = try? reader.readToEnd(limit: 1024 * 1024)
    }
}
