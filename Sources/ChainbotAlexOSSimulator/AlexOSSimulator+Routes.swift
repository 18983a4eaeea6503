import ChainbotCore
import ChainbotHTTP

extension AlexOSSimulator {
    /// The contract routes, without faults.
    func route(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        let method = request.method
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch path {
        case "/api/agents/register":
            return method == .post ? register(request) : AlexOSSimulator.methodNotAllowed
        case "/api/agents/canon":
            return method == .get
                ? .json(.object([("agents", .array(agents.map(canonEntry)))])) : AlexOSSimulator.methodNotAllowed
        case "/api/chainbot/agents/all":
            return method == .get
                ? .json(.object([("agents", .array(agents.map(chainbotEntry)))])) : AlexOSSimulator.methodNotAllowed
        case "/api/status/health":
            return method == .get ? health() : AlexOSSimulator.methodNotAllowed
        default:
            break
        }
        if segments.count == 4, segments[1] == "api", segments[2] == "agents", !segments[3].isEmpty {
            return method == .delete ? deregister(percentDecoded(segments[3])) : AlexOSSimulator.methodNotAllowed
        }
        if segments.count == 5, segments[1] == "api", segments[2] == "webhooks", segments[3] == "chainbot",
            !segments[4].isEmpty
        {
            return method == .post
                ? receiveEvent(request, eventType: percentDecoded(segments[4])) : AlexOSSimulator.methodNotAllowed
        }
        return AlexOSSimulator.detail("Not Found", status: 404)
    }

    private func register(_ request: HTTPRequest) -> HTTPResponse {
        guard let payload = try? request.jsonValue(), payload.object != nil else {
            return AlexOSSimulator.detail("the body must be a JSON object", status: 422)
        }
        guard let name = payload["agent_name"]?.string, !name.isEmpty else {
            return AlexOSSimulator.detail("agent_name is required", status: 422)
        }
        let id: String
        if let index = agents.firstIndex(where: { $0.name == name }) {
            agents[index].payload = payload
            agents[index].registrations += 1
            id = agents[index].id
        } else {
            id = "agent-\(nextAgentNumber)"
            nextAgentNumber += 1
            agents.append(RegisteredAgent(id: id, name: name, payload: payload, registrations: 1))
        }
        return .json(
            .object([("status", .string("registered")), ("agent_id", .string(id)), ("agent_name", .string(name))]))
    }

    private func deregister(_ name: String) -> HTTPResponse {
        guard options.canDeregister else { return AlexOSSimulator.methodNotAllowed }
        guard let index = agents.firstIndex(where: { $0.name == name }) else {
            return AlexOSSimulator.detail("Agent '\(name)' not found", status: 404)
        }
        agents.remove(at: index)
        return .json(.object([("status", .string("deleted")), ("agent_name", .string(name))]))
    }

    private func receiveEvent(_ request: HTTPRequest, eventType: String) -> HTTPResponse {
        guard let body = try? request.jsonValue(), body.object != nil else {
            return AlexOSSimulator.detail("the body must be a JSON object", status: 422)
        }
        let key = body["data"]?["idempotency_key"]?.string
        if let key, let index = events.firstIndex(where: { $0.idempotencyKey == key }) {
            events[index].deliveries += 1
            duplicateEvents += 1
            return .json(.object([("status", .string("duplicate")), ("event_id", .int(events[index].sequence))]))
        }
        let sequence = events.count + 1
        events.append(
            ReceivedEvent(sequence: sequence, eventType: eventType, idempotencyKey: key, body: body, deliveries: 1))
        return .json(.object([("status", .string("received")), ("event_id", .int(sequence))]))
    }

    private func health() -> HTTPResponse {
        .json(
            .object([
                ("status", .string(options.healthStatus)), ("service", .string("alexos-simulator")),
                ("agents", .int(agents.count)),
            ]))
    }

    /// An agent as `/api/agents/canon` lists it: the canon fields, then the rest of the registration.
    private func canonEntry(_ agent: RegisteredAgent) -> JSONValue {
        let payload = agent.payload
        var members: [(String, JSONValue)] = [
            ("name", .string(agent.name)), ("id", .string(agent.id)),
            ("version", payload["agent_version"] ?? .null),
            ("description", payload["description"] ?? payload["role"] ?? .null),
            ("capabilities", payload["capabilities"] ?? .array([])),
            ("ui_features", payload["ui_features"] ?? .array([])),
            ("endpoints", payload["endpoints"] ?? .array([])), ("status", .string("active")),
        ]
        let passedThrough = ["role", "port", "health_endpoint", "event_bus_url", "webhook_url", "registration_time"]
        for key in passedThrough { if let value = payload[key] { members.append((key, value)) } }
        return .object(members)
    }

    /// An agent in the shape the ChainBot GUI reads from `/api/chainbot/agents/all`.
    private func chainbotEntry(_ agent: RegisteredAgent) -> JSONValue {
        .object([
            ("id", .string(agent.id)), ("name", .string(agent.name)), ("status", .string("running")),
            ("agent_type", .string("ai_agent")), ("source", .string("chainbot")),
            ("capabilities", agent.payload["capabilities"] ?? .array([])),
            ("last_active", agent.payload["registration_time"] ?? .null),
        ])
    }

    static var methodNotAllowed: HTTPResponse { detail("Method Not Allowed", status: 405) }

    /// A FastAPI-style error: `{"detail": message}`.
    static func detail(_ message: String, status: Int) -> HTTPResponse {
        .json(.object([("detail", .string(message))]), status: status)
    }

    private func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
