extension ServerConnection {
    /// Writes `response`; false when the connection must be closed (written badly, dropped, or streamed
    /// to the end over HTTP/1.0).
    func write(_ response: HTTPResponse, to request: HTTPRequest, keepAlive: Bool, runLoop: ConnectionRunLoop) -> Bool {
        var headers = response.headers
        headers.remove("Transfer-Encoding")
        headers.remove("Content-Length")
        headers.remove("Connection")
        let isHTTP10 = request.version == "HTTP/1.0"
        let deadline = ContinuousClock.now + configuration.bodyTimeout
        let idle = configuration.readTimeout
        switch response.body {
        case .dropConnection, .upgrade:
            return false
        case .bytes(let body):
            if !HTTPStatus.forbidsBody(response.status) { headers["Content-Length"] = String(body.count) }
            if !keepAlive {
                headers["Connection"] = "close"
            } else if isHTTP10 {
                headers["Connection"] = "keep-alive"
            }
            let head = HeadWriter.response(
                version: request.version, status: response.status, reason: response.reason, headers: headers)
            let withBody = request.method == .head || HTTPStatus.forbidsBody(response.status) ? head : head + body
            do { try socket.send(withBody, until: deadline, idle: idle) } catch { return false }
            return keepAlive
        case .stream(let stream):
            let chunked = !isHTTP10
            if chunked { headers["Transfer-Encoding"] = "chunked" }
            if !keepAlive || !chunked { headers["Connection"] = "close" }
            let head = HeadWriter.response(
                version: request.version, status: response.status, reason: response.reason, headers: headers)
            do { try socket.send(head, until: deadline, idle: idle) } catch { return false }
            if request.method == .head { return keepAlive && chunked }
            return writeStream(stream, chunked: chunked, runLoop: runLoop) && keepAlive && chunked
        }
    }

    /// Copies chunks from `stream` to the socket as they come; stops (cancelling the producer) when the
    /// client goes away, a write stalls, or the server is forced to stop. True when the stream ended.
    private func writeStream(_ stream: AsyncStream<[UInt8]>, chunked: Bool, runLoop: ConnectionRunLoop) -> Bool {
        let queue = ChunkQueue()
        let task = Task(executorPreference: runLoop) {
            for await chunk in stream {
                queue.push(chunk)
                runLoop.signal()
                await queue.waitForRoom()
            }
            queue.finish()
            runLoop.signal()
        }
        registry.setTask(task, for: id)
        defer {
            // The producer's last steps (its cancellation included) run on this thread: see them through.
            task.cancel()
            queue.close()
            _ = runLoop.run(timeout: .seconds(1)) { queue.isFinished }
        }
        let idle = configuration.readTimeout
        while true {
            guard runLoop.run(timeout: .milliseconds(100), until: { queue.hasNext }) else {
                if registry.isForced || socket.peerHasClosed() { return false }
                continue
            }
            switch queue.pop() {
            case .chunk(let chunk):
                if chunk.isEmpty { continue }
                let size = Array(String(chunk.count, radix: 16).utf8) + [13, 10]
                let framed = chunked ? size + chunk + [13, 10] : chunk
                do { try socket.send(framed, until: .now + idle, idle: idle) } catch { return false }
            case .finished:
                guard chunked else { return true }
                do { try socket.send(Array("0\r\n\r\n".utf8), until: .now + idle, idle: idle) } catch { return false }
                return true
            case nil:
                continue
            }
        }
    }
}
