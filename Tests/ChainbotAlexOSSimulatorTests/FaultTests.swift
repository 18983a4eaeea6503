import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotHTTP
import Testing

/// Every fault mode, injected through the control API as a test or the quickstart would.
@Suite struct FaultTests {
    @Test func error500DoesNotCommit() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([
                ("mode", .string("error500")), ("path_prefix", .string("/api/agents/register")), ("count", .int(1)),
            ])
            let failed = try await sim.register("chainbot")
            let error = #expect(throws: HTTPError.self) { try failed.ensureSuccess() }

            #expect(failed.status == 500)
            #expect(
                error?.description
                    == "POST \(sim.server.baseURL)/api/agents/register: HTTP 500 Internal Server Error: Internal Server Error"
            )
            #expect(await sim.simulator.agents.isEmpty)
            #expect(try await sim.register("chainbot").status == 200)
        }
    }

    @Test func error500AfterCommitRegistersTheAgentButAnswers500() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([
                ("mode", .string("error500AfterCommit")), ("path_prefix", .string("/api/agents/register")),
                ("count", .int(1)),
            ])
            let response = try await sim.register("chainbot")
            let canon = try await sim.get("/api/agents/canon").jsonValue()["agents"]?.array ?? []

            #expect(response.status == 500)
            #expect(canon.map { $0["name"] } == [.string("chainbot")])
            let recorded = await sim.simulator.requests.first
            #expect(recorded?.fault == .error500AfterCommit)
            #expect(recorded?.status == 500)
        }
    }

    @Test func error500AfterCommitOnAnEventStillCountsItsRedelivery() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([
                ("mode", .string("error500AfterCommit")), ("path_prefix", .string("/api/webhooks/")),
                ("count", .int(1)),
            ])
            let event = SimulatorHarness.event("applied", key: "k1")
            let first = try await sim.post("/api/webhooks/chainbot/applied", event)
            let retry = try await sim.post("/api/webhooks/chainbot/applied", event)

            #expect(first.status == 500)
            #expect(try retry.jsonValue()["status"] == .string("duplicate"))
            #expect(await sim.simulator.events.count == 1)
            #expect(await sim.simulator.duplicateEvents == 1)
        }
    }

    @Test func errorStatusCanBeChosen() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([("mode", .string("error500")), ("status", .int(503)), ("count", .int(1))])

            #expect(try await sim.get("/api/status/health").status == 503)
            #expect(try await sim.get("/api/status/health").status == 200)
        }
    }

    @Test func delayHoldsTheAnswerThenAnswers() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([("mode", .string("delay")), ("delay_ms", .int(300)), ("count", .int(1))])
            let start = ContinuousClock.now
            let response = try await sim.get("/api/status/health")
            let elapsed = ContinuousClock.now - start

            #expect(response.status == 200)
            #expect(elapsed >= .milliseconds(300))
            // Held, then answered (a hang would end in the client's 30 s read timeout, not a 200). The bound
            // has room for a loaded 2-core machine: 16.5 s was seen in a full run.
            #expect(elapsed < .seconds(60))
        }
    }

    @Test func delayLongerThanTheClientWaitsIsATimeout() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([
                ("mode", .string("delay")), ("delay_ms", .int(5000)), ("path_prefix", .string("/api/agents/register")),
            ])
            var configuration = HTTPClient.Configuration()
            configuration.readTimeout = .milliseconds(200)
            let client = HTTPClient(configuration: configuration)
            let error = await #expect(throws: HTTPError.self) {
                try await client.send(
                    HTTPRequest(
                        method: .post, url: sim.server.baseURL + "/api/agents/register",
                        json: SimulatorHarness.registration("a")))
            }

            #expect(error?.kind == .timedOut)
            #expect(error?.requestSent == true)
        }
    }

    @Test func dropClosesTheConnectionWithoutAnswerAndWithoutCommit() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([("mode", .string("drop")), ("count", .int(1))])
            let error = await #expect(throws: HTTPError.self) { try await sim.register("chainbot") }

            #expect(error?.kind == .connectionClosed)
            #expect(error?.requestSent == true)
            #expect(await sim.simulator.agents.isEmpty)
            #expect(await sim.simulator.requests.first?.status == nil)
        }
    }

    @Test func dropAfterCommitRegistersButNeverAnswers() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([("mode", .string("dropAfterCommit")), ("count", .int(1))])
            let error = await #expect(throws: HTTPError.self) { try await sim.register("chainbot") }

            #expect(error?.kind == .connectionClosed)
            #expect(await sim.simulator.agents.map(\.name) == ["chainbot"])
        }
    }

    @Test func downAnswersAProxyErrorPageUntilCleared() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([("mode", .string("down"))])
            let first = try await sim.get("/api/status/health")
            let second = try await sim.get("/api/agents/canon")
            let error = #expect(throws: HTTPError.self) { try second.jsonValue() }
            _ = try await sim.client.send(HTTPRequest(method: .delete, url: sim.server.baseURL + "/_sim/faults"))

            #expect(first.status == 502)
            #expect(
                error?.description
                    == "GET \(sim.server.baseURL)/api/agents/canon: HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx/1.22.1"
            )
            #expect(try await sim.get("/api/status/health").status == 200)
        }
    }

    @Test func faultAppliesOnlyToItsPathMethodAndCount() async throws {
        try await SimulatorHarness.run { sim in
            try await sim.fault([
                ("mode", .string("error500")), ("path_prefix", .string("/api/agents")), ("method", .string("post")),
                ("count", .int(2)),
            ])

            #expect(try await sim.get("/api/agents/canon").status == 200)
            #expect(try await sim.get("/api/status/health").status == 200)
            #expect(try await sim.register("a").status == 500)
            #expect(try await sim.register("a").status == 500)
            #expect(try await sim.register("a").status == 200)
            #expect(try await sim.get("/_sim/faults").jsonValue()["faults"] == .array([]))
        }
    }

    @Test(arguments: [
        #"{"mode":"explode"}"#, #"{"mode":"delay","delay_ms":-1}"#, #"{"mode":"drop","count":0}"#,
        #"{"mode":"drop","path_prefix":"api"}"#, "not json",
    ])
    func invalidFaultIs400(body: String) async throws {
        try await SimulatorHarness.run { sim in
            let response = try await sim.client.send(
                HTTPRequest(method: .post, url: sim.server.baseURL + "/_sim/faults", body: Array(body.utf8)))

            #expect(response.status == 400)
            #expect(await sim.simulator.faults.isEmpty)
        }
    }

    @Test func faultsCanBeInjectedDirectlyToo() async throws {
        try await SimulatorHarness.run { sim in
            await sim.simulator.inject(
                Fault(.error500AfterCommit, pathPrefix: "/api/agents/", method: .delete, count: 1))
            try await sim.register("a").ensureSuccess()

            #expect(try await sim.delete("/api/agents/a").status == 500)
            #expect(await sim.simulator.agents.isEmpty)
        }
    }
}
