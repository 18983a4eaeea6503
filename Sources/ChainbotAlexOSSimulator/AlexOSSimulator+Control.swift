import ChainbotCore
import ChainbotHTTP

extension AlexOSSimulator {
    /// The control API under `/_sim/`: faults, recorded requests and events, options, reset.
    func control(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case (.get, "/_sim/requests"): return .json(.object([("requests", .array(requests.map(\.json)))]))
        case (.get, "/_sim/events"):
            return .json(.object([("events", .array(events.map(\.json))), ("duplicates", .int(duplicateEvents))]))
        case (.get, "/_sim/agents"): return .json(.object([("agents", .array(agents.map(\.json)))]))
        case (.get, "/_sim/faults"): return faultList()
        case (.post, "/_sim/faults"):
            switch Fault.parse(try? request.jsonValue()) {
            case .success(let fault):
                faults.append(fault)
                var response = faultList()
                response.status = 201
                response.reason = HTTPStatus.reason(for: 201)
                return response
            case .failure(let problem): return AlexOSSimulator.detail(problem.message, status: 400)
            }
        case (.delete, "/_sim/faults"):
            faults.removeAll()
            return faultList()
        case (.post, "/_sim/config"): return configure(try? request.jsonValue())
        case (.post, "/_sim/reset"):
            reset()
            return .json(.object([("status", .string("reset"))]))
        default: return AlexOSSimulator.detail("Not Found", status: 404)
        }
    }

    private func faultList() -> HTTPResponse { .json(.object([("faults", .array(faults.map(\.json)))])) }

    private func configure(_ body: JSONValue?) -> HTTPResponse {
        guard let body, body.object != nil else {
            return AlexOSSimulator.detail("the body must be a JSON object", status: 400)
        }
        if let value = body["can_deregister"] {
            guard let flag = value.bool else {
                return AlexOSSimulator.detail("can_deregister must be a boolean", status: 400)
            }
            options.canDeregister = flag
        }
        if let value = body["health_status"] {
            guard let status = value.string else {
                return AlexOSSimulator.detail("health_status must be a string", status: 400)
            }
            options.healthStatus = status
        }
        return .json(
            .object([
                ("can_deregister", .bool(options.canDeregister)), ("health_status", .string(options.healthStatus)),
            ]))
    }
}

/// Why a fault given to the control API was refused.
struct FaultProblem: Error {
    var message: String
}

extension Fault {
    /// Reads `{"mode": M, "path_prefix": P, "method": X, "count": N, "delay_ms": D, "status": S}`.
    static func parse(_ json: JSONValue?) -> Result<Fault, FaultProblem> {
        guard let json, json.object != nil else {
            return .failure(FaultProblem(message: "the body must be a JSON object"))
        }
        let modes = Mode.allCases.map(\.rawValue).joined(separator: ", ")
        guard let modeText = json["mode"]?.string, let mode = Mode(rawValue: modeText) else {
            return .failure(FaultProblem(message: "mode must be one of \(modes)"))
        }
        var fault = Fault(mode)
        if let prefix = json["path_prefix"] {
            guard let text = prefix.string, text.hasPrefix("/") else {
                return .failure(FaultProblem(message: "path_prefix must be a path starting with /"))
            }
            fault.pathPrefix = text
        }
        if let method = json["method"] {
            guard let text = method.string, !text.isEmpty else {
                return .failure(FaultProblem(message: "method must be a string such as POST"))
            }
            fault.method = HTTPMethod(rawValue: text.uppercased())
        }
        if let count = json["count"], count != .null {
            guard let number = count.int, number > 0 else {
                return .failure(FaultProblem(message: "count must be a positive integer (omit it for no limit)"))
            }
            fault.remaining = number
        }
        if let delay = json["delay_ms"] {
            guard let milliseconds = delay.int, (0...600_000).contains(milliseconds) else {
                return .failure(FaultProblem(message: "delay_ms must be an integer from 0 to 600000"))
            }
            fault.delay = .milliseconds(milliseconds)
        }
        if let status = json["status"] {
            guard let code = status.int, (400...599).contains(code) else {
                return .failure(FaultProblem(message: "status must be an error status from 400 to 599"))
            }
            fault.status = code
        }
        return .success(fault)
    }

    var json: JSONValue {
        let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        return .object([
            ("mode", .string(mode.rawValue)), ("path_prefix", .string(pathPrefix)),
            ("method", method.map { .string($0.rawValue) } ?? .null),
            ("count", remaining.map { .int($0) } ?? .null), ("delay_ms", .int(Int(milliseconds))),
            ("status", .int(status)),
        ])
    }
}

extension AlexOSSimulator.RecordedRequest {
    var json: JSONValue {
        .object([
            ("sequence", .int(sequence)), ("method", .string(method.rawValue)), ("path", .string(path)),
            ("query", query.map { .string($0) } ?? .null), ("body", .string(body)),
            ("fault", fault.map { .string($0.rawValue) } ?? .null), ("status", status.map { .int($0) } ?? .null),
        ])
    }
}

extension AlexOSSimulator.ReceivedEvent {
    var json: JSONValue {
        .object([
            ("sequence", .int(sequence)), ("event_type", .string(eventType)),
            ("idempotency_key", idempotencyKey.map { .string($0) } ?? .null), ("deliveries", .int(deliveries)),
            ("body", body),
        ])
    }
}

extension AlexOSSimulator.RegisteredAgent {
    var json: JSONValue {
        .object([
            ("id", .string(id)), ("name", .string(name)), ("registrations", .int(registrations)),
            ("payload", payload),
        ])
    }
}
