import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotHTTP
import Testing

/// The ALEX OS contract of DESIGN.md §7 as the simulator serves it.
@Suite struct ContractTests {
    @Test func registeredAgentIsListedInCanonWithItsFields() async throws {
        try await SimulatorHarness.run { sim in
            let registered = try await sim.register("chainbot").jsonValue()
            let agents = try await sim.get("/api/agents/canon").jsonValue()["agents"]?.array ?? []

            #expect(registered["status"] == .string("registered"))
            #expect(registered["agent_id"] == .string("agent-1"))
            #expect(agents.count == 1)
            #expect(agents.first?["name"] == .string("chainbot"))
            #expect(agents.first?["version"] == .string("1.0.0"))
            #expect(agents.first?["capabilities"] == .array([.string("chat"), .string("monitoring")]))
            #expect(agents.first?["port"] == .int(9000))
            #expect(agents.first?["health_endpoint"] == .string("/health"))
        }
    }

    @Test func registeringAgainReplacesThePayloadAndKeepsTheID() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.register("chainbot", version: "1.0.0").ensureSuccess()
            let again = try await sim.register("chainbot", version: "2.0.0").jsonValue()
            let agents = try await sim.get("/api/agents/canon").jsonValue()["agents"]?.array ?? []

            #expect(again["agent_id"] == .string("agent-1"))
            #expect(agents.map { $0["version"] } == [.string("2.0.0")])
            #expect(await sim.simulator.agents.first?.registrations == 2)
        }
    }

    @Test func concurrentRegistrationsAreAllKept() async throws {
        try await SimulatorHarness.run { sim in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 { group.addTask { try await sim.register("agent-\(index)").status } }
                for try await status in group { #expect(status == 200) }
            }

            #expect(await sim.simulator.agents.count == 20)
            #expect(Set(await sim.simulator.agents.map(\.id)).count == 20)
        }
    }

    @Test func chainbotAgentsAllListsAgentsInTheGUIShape() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.register("chainbot").ensureSuccess()
            let agents = try await sim.get("/api/chainbot/agents/all").jsonValue()["agents"]?.array ?? []

            #expect(agents.first?["name"] == .string("chainbot"))
            #expect(agents.first?["agent_type"] == .string("ai_agent"))
            #expect(agents.first?["source"] == .string("chainbot"))
        }
    }

    @Test func registrationWithoutAgentNameIs422() async throws {
        try await SimulatorHarness.run { sim in
            let response = try await sim.post("/api/agents/register", .object([("agent_version", .string("1"))]))
            let error = #expect(throws: HTTPError.self) { try response.ensureSuccess() }

            #expect(response.status == 422)
            #expect(error?.bodyExcerpt == #"{"detail":"agent_name is required"}"#)
            #expect(await sim.simulator.agents.isEmpty)
        }
    }

    @Test func deleteDeregistersAndUnknownAgentIs404() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.register("chainbot").ensureSuccess()
            let deleted = try await sim.delete("/api/agents/chainbot")
            let again = try await sim.delete("/api/agents/chainbot")

            #expect(deleted.status == 200)
            #expect(again.status == 404)
            #expect(try await sim.get("/api/agents/canon").jsonValue()["agents"] == .array([]))
        }
    }

    @Test func registryThatCannotDeregisterAnswers405() async throws {
        try await SimulatorHarness.run(options: AlexOSSimulator.Options(canDeregister: false)) { sim in
            try await sim.register("chainbot").ensureSuccess()
            let response = try await sim.delete("/api/agents/chainbot")

            #expect(response.status == 405)
            #expect(await sim.simulator.agents.count == 1)
        }
    }

    @Test func deregistrationCanBeSwitchedOffThroughTheControlAPI() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.post("/_sim/config", .object([("can_deregister", .bool(false))])).ensureSuccess()

            #expect(try await sim.delete("/api/agents/x").status == 405)
        }
    }

    @Test func eventsAreRecordedAndDeduplicatedByIdempotencyKey() async throws {
        try await SimulatorHarness.run { sim in
            let first = try await sim.post(
                "/api/webhooks/chainbot/drift_detected", SimulatorHarness.event("drift_detected", key: "k1"))
            let duplicate = try await sim.post(
                "/api/webhooks/chainbot/drift_detected", SimulatorHarness.event("drift_detected", key: "k1"))
            try await sim.post("/api/webhooks/chainbot/applied", SimulatorHarness.event("applied", key: "k2"))
                .ensureSuccess()
            try await sim.post(
                "/api/webhooks/chainbot/health_report", SimulatorHarness.event("health_report", key: nil)
            ).ensureSuccess()
            let control = try await sim.get("/_sim/events").jsonValue()

            #expect(try first.jsonValue()["status"] == .string("received"))
            #expect(try duplicate.jsonValue()["status"] == .string("duplicate"))
            #expect(control["duplicates"] == .int(1))
            let events = control["events"]?.array ?? []
            #expect(
                events.map { $0["event_type"] } == [
                    .string("drift_detected"), .string("applied"), .string("health_report"),
                ])
            #expect(events.map { $0["deliveries"] } == [.int(2), .int(1), .int(1)])
            #expect(events.first?["body"]?["severity"] == .string("warning"))
        }
    }

    @Test func eventThatIsNotAJSONObjectIs422() async throws {
        try await SimulatorHarness.run { sim in
            let response = try await sim.client.send(
                HTTPRequest(
                    method: .post, url: sim.server.baseURL + "/api/webhooks/chainbot/x", body: Array("nope".utf8)))

            #expect(response.status == 422)
            #expect(await sim.simulator.events.isEmpty)
        }
    }

    @Test func healthAnswers200WithTheStatusEvenWhenUnhealthy() async throws {
        try await SimulatorHarness.run { sim in
            let healthy = try await sim.get("/api/status/health").jsonValue()
            try await sim.post("/_sim/config", .object([("health_status", .string("degraded"))])).ensureSuccess()
            let degraded = try await sim.get("/api/status/health")

            #expect(healthy["status"] == .string("healthy"))
            #expect(degraded.status == 200)
            #expect(try degraded.jsonValue()["status"] == .string("degraded"))
        }
    }

    @Test func unknownPathsAre404AndWrongMethods405() async throws {
        try await SimulatorHarness.run { sim in
            let trailingSlash = try await sim.get("/api/agents/canon/")
            let wrongMethod = try await sim.get("/api/agents/register")

            #expect(trailingSlash.status == 404)
            #expect(wrongMethod.status == 405)
        }
    }

    @Test func everyRequestIsRecordedButNotTheControlAPI() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.register("a").ensureSuccess()
            _ = try await sim.get("/api/status/health?verbose=1")
            let requests = try await sim.get("/_sim/requests").jsonValue()["requests"]?.array ?? []

            #expect(requests.map { $0["path"] } == [.string("/api/agents/register"), .string("/api/status/health")])
            #expect(requests.map { $0["status"] } == [.int(200), .int(200)])
            #expect(requests.last?["query"] == .string("verbose=1"))
            #expect(requests.first?["body"]?.serialized().contains("agent_name") == true)
        }
    }

    @Test func resetForgetsEverything() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.register("a").ensureSuccess()
            try await sim.fault([("mode", .string("down"))])
            try await sim.post("/_sim/reset", .object([])).ensureSuccess()

            #expect(try await sim.get("/api/agents/canon").jsonValue()["agents"] == .array([]))
            #expect(await sim.simulator.requests.count == 1)
            #expect(await sim.simulator.faults.isEmpty)
        }
    }
}
