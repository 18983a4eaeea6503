import ChainbotCore
import ChainbotHTTP

extension AlexOSBus {
    /// The bus's control API: `GET /_sim/bus` (what was received, the connections), `POST /_sim/bus/send`
    /// (a JSON message pushed to every connected agent), `POST`/`DELETE /_sim/bus/faults`.
    func control(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case (.get, "/_sim/bus"):
            let (received, duplicates, connections, open) = state.withLock {
                ($0.received, $0.duplicates, $0.connections, $0.open.count)
            }
            return .json(
                .object([
                    ("received", .array(received.map(\.json))), ("duplicates", .int(duplicates)),
                    ("connections", .int(connections)), ("open_connections", .int(open)),
                ]))
        case (.post, "/_sim/bus/send"):
            guard let message = try? request.jsonValue(), message.object != nil else {
                return AlexOSSimulator.detail("the body must be a JSON object (the message to send)", status: 400)
            }
            return .json(.object([("sent_to", .int(push(message.serialized())))]))
        case (.get, "/_sim/bus/faults"): return faultList()
        case (.post, "/_sim/bus/faults"):
            switch Fault.parse(try? request.jsonValue()) {
            case .success(let fault):
                inject(fault)
                var response = faultList()
                response.status = 201
                response.reason = HTTPStatus.reason(for: 201)
                return response
            case .failure(let problem): return AlexOSSimulator.detail(problem.message, status: 400)
            }
        case (.delete, "/_sim/bus/faults"):
            clearFaults()
            return faultList()
        default: return AlexOSSimulator.detail("Not Found", status: 404)
        }
    }

    private func faultList() -> HTTPResponse {
        .json(.object([("faults", .array(state.withLock { $0.faults }.map(\.json)))]))
    }
}

extension AlexOSBus.Message {
    var json: JSONValue {
        .object([
            ("sequence", .int(sequence)), ("connection", .int(connection)),
            ("idempotency_key", idempotencyKey.map { .string($0) } ?? .null), ("body", body ?? .string(text)),
        ])
    }
}
