/// One blocking request/response exchange on a fresh connection, run on a worker thread.
struct ClientExchange: Sendable {
    let configuration: HTTPClient.Configuration
    let request: HTTPRequest
    let url: HTTPURL
    let abort: ExchangeAbort

    /// Connects, sends, reads the response; every failure is an `HTTPError` naming method and URL.
    func run() -> Result<HTTPResponse, HTTPError> {
        let timeout = request.timeout ?? configuration.timeout
        let deadline = ContinuousClock.now + timeout
        let connectDeadline = min(deadline, ContinuousClock.now + configuration.connectTimeout)
        let socket: Socket
        do { socket = try Socket.connect(host: url.host, port: url.port, until: connectDeadline) } catch {
            return .failure(failure(error, phase: .connecting, timeout: timeout))
        }
        defer {
            abort.detach()
            socket.close()
        }
        guard abort.attach(socket) else { return .failure(failure(.closed, phase: .connecting, timeout: timeout)) }
        do {
            try socket.send(head() + request.body, until: deadline, idle: configuration.readTimeout)
        } catch {
            return .failure(failure(error, phase: .sending, timeout: timeout))
        }
        do {
            return .success(try receive(socket, deadline: deadline))
        } catch {
            return .failure(failure(error, phase: .receiving, timeout: timeout))
        }
    }

    private func head() -> [UInt8] {
        var headers = request.headers
        headers["Host"] = headers["Host"] ?? url.hostHeader
        if !headers.contains("User-Agent") { headers["User-Agent"] = configuration.userAgent }
        if !headers.contains("Accept") { headers["Accept"] = "application/json, */*;q=0.5" }
        headers.remove("Transfer-Encoding")
        if !request.body.isEmpty || [.post, .put, .patch].contains(request.method) {
            headers["Content-Length"] = String(request.body.count)
        } else {
            headers.remove("Content-Length")
        }
        headers["Connection"] = "close"
        return HeadWriter.request(method: request.method, target: url.target, headers: headers)
    }

    private func receive(_ socket: Socket, deadline: ContinuousClock.Instant) throws(WireError) -> HTTPResponse {
        var reader = WireReader(socket: socket, deadline: deadline, idle: configuration.readTimeout)
        while true {
            guard let bytes = try reader.readHead(limit: configuration.maxHeaderBytes) else { throw .closed }
            let head = try MessageHead(parsing: bytes, isRequest: false)
            let status = Int(head.startLine.1) ?? 0
            // Interim 1xx answers (100 Continue, 103 Early Hints) precede the real one.
            if (100..<200).contains(status) && status != 101 { continue }
            let framing = try BodyFraming.response(head.headers, status: status, method: request.method)
            let body = try reader.readBody(
                framing, limit: configuration.maxResponseBytes, trailerLimit: configuration.maxHeaderBytes)
            var response = HTTPResponse(
                status: status, reason: head.startLine.2.isEmpty ? nil : head.startLine.2, headers: head.headers,
                body: body)
            response.requestMethod = request.method
            response.url = url.description
            return response
        }
    }

    private enum Phase { case connecting, sending, receiving }

    private func failure(_ error: WireError, phase: Phase, timeout: Duration) -> HTTPError {
        let sent = phase == .receiving
        func make(_ kind: HTTPError.Kind, _ message: String) -> HTTPError {
            HTTPError(kind, method: request.method, url: url.description, message: message, requestSent: sent)
        }
        if abort.isCancelled { return make(.cancelled, "cancelled") }
        switch (error, phase) {
        case (.timedOut, .connecting):
            let limit = min(timeout, configuration.connectTimeout)
            return make(.timedOut, "timed out connecting after \(limit.shortText)")
        case (.timedOut(let why), _):
            let detail = why == "exceeded the deadline" ? "took longer than \(timeout.shortText)" : why
            return make(.timedOut, "timed out \(phase == .sending ? "sending" : "waiting for the response"): \(detail)")
        case (.system(let system), .connecting):
            return make(.connectFailed, "cannot connect to \(url.hostHeader): \(system.message)")
        case (.malformed(let why), .connecting):
            return make(.connectFailed, "cannot connect: \(why)")
        case (.closed, .receiving):
            return make(.connectionClosed, "the server closed the connection before a complete response")
        case (.closed, _):
            return make(.connectionClosed, "the server closed the connection while the request was being sent")
        case (.headTooLarge(let limit), _):
            return make(.headersTooLarge, "response headers larger than \(limit) bytes")
        case (.bodyTooLarge(let limit), _):
            return make(.responseTooLarge, "response body larger than the limit of \(limit) bytes")
        case (.malformed(let why), _), (.unsupportedCoding(let why), _):
            return make(.malformedResponse, "malformed response: \(why)")
        case (.system(let system), _):
            return make(.system, system.description)
        }
    }
}
