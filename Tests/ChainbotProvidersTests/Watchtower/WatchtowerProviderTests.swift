import ChainbotCore
import ChainbotHTTP
import ChainbotTestSupport
import Synchronization
import Testing

@testable import ChainbotProviders

/// The provider over fakes: what it observes, the one write and reload it plans, and what it runs.
@Suite struct WatchtowerProviderTests {
    static let path = "/opt/alexos/watchtower/targets.yaml"
    static let shared = String(
        decoding: Fixtures.read(Fixtures.path("fixtures/watchtower/targets-shared.yaml")) ?? [], as: UTF8.self)
    static let reload = ["systemctl", "try-reload-or-restart", "watchtower.service"]

    static func resource(_ name: String, _ spec: WatchtowerTargetSpec) -> Resource {
        let here = SourceLocation(file: "manifests/watchtower.yaml", line: 1, column: 1)
        return Resource(
            metadata: Metadata(name: name), spec: .watchtowerTarget(spec), location: here, nameLocation: here)
    }

    static let api = resource(
        "chainbot-api", WatchtowerTargetSpec(type: .http, target: "http://127.0.0.1:9000/health", severity: .error))
    static let port = resource("sim-port", WatchtowerTargetSpec(type: .tcp, target: "127.0.0.1:5000"))

    struct Setup {
        let fileSystem: FakeFileSystem
        let runner = FakeCommandRunner()
        let http = FakeTransport()
        let provider: WatchtowerProvider

        init(file: String?, probes: Bool = false) {
            fileSystem = FakeFileSystem(files: file.map { [WatchtowerProviderTests.path: $0] } ?? [:])
            provider = WatchtowerProvider(
                settings: WatchtowerProvider.Settings(probes: probes), fileSystem: fileSystem, runner: runner,
                http: http)
        }

        /// Observes and plans `desired` the way the engine does, returning every resource's actions.
        func plan(_ desired: [Resource], applied: [ResourceID: ResourceSpec] = [:]) async throws
            -> [ResourceID: [StepAction]]
        {
            let bound = provider.bound(to: desired, applied: applied)
            var targets = desired.map { ObserveTarget(id: $0.id, spec: $0.spec) }
            for (id, spec) in applied where !desired.contains(where: { $0.id == id }) {
                targets.append(ObserveTarget(id: id, spec: spec))
            }
            let observed = try await bound.observe(targets)
            var actions: [ResourceID: [StepAction]] = [:]
            for target in targets {
                let spec = desired.first { $0.id == target.id }?.spec
                let facets =
                    spec == nil ? [] : try await bound.render(target.id, spec: target.spec, previous: nil).facets
                let seen = try #require(observed[target.id])
                let changes = facets.compactMap { facet -> FieldChange? in
                    let now = seen.facets[facet.name] ?? .absent
                    return now == facet.value
                        ? nil : FieldChange(resource: target.id, facet: facet.name, from: now, to: facet.value)
                }
                actions[target.id] = bound.steps(
                    for: target.id, spec: spec, previous: applied[target.id], changes: changes, observed: seen)
            }
            return actions
        }
    }

    @Test func observesChainbotsEntryAndAMissingOne() async throws {
        let setup = Setup(file: Self.shared)
        let observed = try await setup.provider.bound(to: [Self.api, Self.port], applied: [:]).observe([
            ObserveTarget(id: Self.api.id, spec: Self.api.spec), ObserveTarget(id: Self.port.id, spec: Self.port.spec),
        ])
        #expect(
            observed[Self.api.id]?.facets[TargetEntry.facet]
                == .text(
                    "name: chainbot-api\ntype: http\ntarget: http://127.0.0.1:9000/health\nmanaged_by: chainbot\n"
                        + "severity: error\n"))
        #expect(observed[Self.port.id]?.facets[TargetEntry.facet] == .absent)
        #expect(observed[Self.port.id]?.health == .missing)
        #expect(observed[Self.port.id]?.healthReason == "no entry in \(Self.path)")
    }

    @Test func changedTargetsAskForTheSameWriteAndReload() async throws {
        let setup = Setup(file: Self.shared)
        let actions = try await setup.plan([Self.api, Self.port])
        let apiActions = try #require(actions[Self.api.id])
        #expect(apiActions.count == 2)
        #expect(actions[Self.port.id] == apiActions)
        #expect(apiActions.allSatisfy { $0.runsOncePerPlan })
        guard case .writeFile(let write) = apiActions.first else {
            Issue.record("expected a write first, got \(apiActions)")
            return
        }
        #expect(write.path == Self.path)
        #expect(apiActions.last == .reload(argv: Self.reload))
        let text = String(decoding: write.content, as: UTF8.self)
        let before = try #require(Self.shared.split(separator: "    - name: chainbot-api", maxSplits: 1).first)
        #expect(text.hasPrefix(before))
        #expect(text.contains("    - name: sim-port\n"))
    }

    @Test func nothingToDoWhenTheFileAlreadySaysIt() async throws {
        let setup = Setup(file: Self.shared)
        let first = try await setup.plan([Self.api, Self.port])
        guard case .writeFile(let write)? = first[Self.api.id]?.first else {
            Issue.record("expected a write")
            return
        }
        try await setup.provider.execute(.writeFile(write))
        let second = try await setup.plan([Self.api, Self.port])
        #expect(second.values.allSatisfy { $0.isEmpty })
    }

    @Test func aTargetThatLeftTheManifestsIsTakenOut() async throws {
        let setup = Setup(file: Self.shared)
        let actions = try await setup.plan([], applied: [Self.api.id: Self.api.spec])
        guard case .writeFile(let write)? = actions[Self.api.id]?.first else {
            Issue.record("expected a write, got \(actions)")
            return
        }
        #expect(!String(decoding: write.content, as: UTF8.self).contains("chainbot-api"))
        #expect(String(decoding: write.content, as: UTF8.self).contains("name: alexos-core"))
    }

    @Test func executeWritesTheFileAndRunsTheReloadArgv() async throws {
        let setup = Setup(file: nil)
        setup.runner.script("systemctl", ["try-reload-or-restart"], output: "")
        try await setup.provider.execute(.writeFile(FileWrite(path: Self.path, content: Array("targets:\n".utf8))))
        try await setup.provider.execute(.reload(argv: Self.reload))
        #expect(setup.fileSystem.text(Self.path) == "targets:\n")
        #expect(setup.runner.commandLines == ["systemctl try-reload-or-restart watchtower.service"])
    }

    @Test func aFailedReloadSaysWhatRanAndWhatItPrinted() async {
        let setup = Setup(file: nil)
        setup.runner.script(
            "systemctl", ["try-reload-or-restart"], exitCode: 1, errorOutput: "Unit watchtower.service not found.\n")
        await #expect {
            try await setup.provider.execute(.reload(argv: Self.reload))
        } throws: { error in
            let error = error as? ProviderError
            return error?.message
                == "reloading Watchtower failed: 'systemctl try-reload-or-restart watchtower.service' exited with status 1"
                && error?.detail == "Unit watchtower.service not found."
        }
    }

    @Test func writesOnlyItsOwnFile() async {
        let setup = Setup(file: nil)
        await #expect(throws: ProviderError.self) {
            try await setup.provider.execute(.writeFile(FileWrite(path: "/etc/passwd", content: [])))
        }
    }

    @Test func healthIsTheProbeWithItsEvidence() async throws {
        let setup = Setup(file: Self.shared, probes: true)
        setup.http.answer(status: 503, body: "{\"status\":\"down\"}")
        let observed = try await setup.provider.bound(to: [Self.api], applied: [:]).observe([
            ObserveTarget(id: Self.api.id, spec: Self.api.spec)
        ])
        #expect(observed[Self.api.id]?.health == .degraded)
        #expect(observed[Self.api.id]?.healthReason == "GET http://127.0.0.1:9000/health: 503")
    }

    @Test func anInvalidFileFailsObserveWithItsPathAndLine() async {
        let setup = Setup(file: "targets:\n  - name: a\n   bad: [\n")
        await #expect {
            _ = try await setup.provider.bound(to: [Self.api], applied: [:]).observe([
                ObserveTarget(id: Self.api.id, spec: Self.api.spec)
            ])
        } throws: { error in
            (error as? ProviderError)?.message.hasPrefix("\(Self.path):3:") == true
        }
    }
}

/// An `HTTPTransport` answering every request with one scripted response, recording the requests.
final class FakeTransport: HTTPTransport {
    private let state = Mutex<(status: Int, body: String, requests: [String])>((200, "{}", []))

    func answer(status: Int, body: String) {
        state.withLock { $0 = (status, body, $0.requests) }
    }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let (status, body) = state.withLock { state in
            state.requests.append("\(request.method) \(request.url)")
            return (state.status, state.body)
        }
        var response = HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
        response.requestMethod = request.method
        response.url = request.url
        return response
    }
}

extension WatchtowerProviderTests {
    @Test func anEditBetweenObserveAndApplyIsNotOverwritten() async throws {
        let setup = Setup(file: Self.shared)
        let actions = try await setup.plan([Self.api, Self.port])
        guard case .writeFile(let write)? = actions[Self.port.id]?.first else {
            Issue.record("expected a write, got \(actions)")
            return
        }
        let edited = Self.shared + "# added by hand meanwhile\n"
        setup.fileSystem.put(Self.path, edited)
        await #expect {
            try await setup.provider.execute(.writeFile(write))
        } throws: { error in
            (error as? ProviderError)?.message.hasPrefix("\(Self.path) changed after chainbot read it") == true
        }
        #expect(setup.fileSystem.text(Self.path) == edited)
    }

    @Test func anEditAfterObserveIsNotOverwrittenWhicheverProviderRunsTheWrite() async throws {
        let setup = Setup(file: Self.shared)
        let actions = try await setup.plan([Self.api, Self.port])
        guard case .writeFile(let write)? = actions[Self.api.id]?.first else {
            Issue.record("expected a write, got \(actions)")
            return
        }
        let edited = Self.shared + "# added by hand meanwhile\n"
        setup.fileSystem.put(Self.path, edited)
        // Another provider value than the one that observed: what it must check travels in the step.
        let other = WatchtowerProvider(
            settings: WatchtowerProvider.Settings(probes: false), fileSystem: setup.fileSystem, runner: setup.runner,
            http: setup.http)

        await #expect(throws: ProviderError.self) { try await other.execute(.writeFile(write)) }
        #expect(setup.fileSystem.text(Self.path) == edited)
    }
}
