import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// The engine calls providers per resource, so it tells every error a provider throws which resource it
/// concerns; the code the provider set travels with it.
@Suite struct ProviderErrorResourceTests {
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    @Test func aFailedStepsErrorCarriesItsResourceAndCode() async throws {
        let services = FakeProvider([.service])
        let start = StepAction.systemctl(.start, unit: "a.service")
        services.fail(start, with: ProviderError("systemctl start a.service failed", code: .commandFailed))
        let engine = Reconciler(providers: [services], store: try SQLiteStateStore.inMemory(now: clock), now: clock)

        let prepared = try await engine.prepare([Resources.service("a")], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)

        let errors = report.records.compactMap { record -> ProviderError? in
            guard case .failed(let error) = record.outcome else { return nil }
            return error
        }
        #expect(errors.map(\.resource) == [ResourceID(.service, "a")])
        #expect(errors.map(\.code) == [.commandFailed])
        #expect(errors.map(\.message) == ["systemctl start a.service failed"])
    }

    @Test func aStepOfAKindNoProviderManagesFailsRegardingItsResource() async {
        let step = Step(index: 0, resource: ResourceID(.host, "pi"), action: .daemonReload, reason: "")
        let records = await Executor(providers: [], now: clock).run(Plan(resources: [], steps: [step]))

        guard case .failed(let error) = records.first?.outcome else {
            Issue.record("expected a failed step, got \(records.map(\.outcome))")
            return
        }
        #expect(error.resource == ResourceID(.host, "pi"))
        #expect(error.code == .unsupported)
    }

    @Test func aBatchObserveFailureIsRecordedForEachResourceRegardingIt() async throws {
        let services = FakeProvider([.service])
        services.failObserving(ProviderError("systemctl show failed", retryable: true, code: .launchFailed))
        let engine = Reconciler(providers: [services], store: try SQLiteStateStore.inMemory(now: clock), now: clock)

        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.service("b")], prune: false, force: false)

        let failures = prepared.failures.sorted { $0.id < $1.id }
        #expect(failures.map(\.error.resource) == [ResourceID(.service, "a"), ResourceID(.service, "b")])
        #expect(failures.allSatisfy { $0.error.code == .launchFailed })
        // Still one failure met by both: `plan` prints it once for the two of them.
        #expect(Set(failures.map(\.error)).count == 1)
    }

    @Test func aRenderFailureCarriesTheResourceUnlessTheProviderNamedOne() async throws {
        let other = ResourceID(.service, "other")
        let engine = Reconciler(
            providers: [RefusingRenderer(named: ["b": other])], store: try SQLiteStateStore.inMemory(now: clock),
            now: clock)

        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.service("b")], prune: false, force: false)

        let failures = prepared.failures.sorted { $0.id < $1.id }
        #expect(failures.map(\.id) == [ResourceID(.service, "a"), ResourceID(.service, "b")])
        #expect(failures.map(\.error.resource) == [ResourceID(.service, "a"), other])
        #expect(failures.allSatisfy { $0.error.code == .invalidSpec })
    }
}

/// Refuses to render any Service: a spec it cannot hold; for the names in `named` its error already says
/// which resource it concerns.
private struct RefusingRenderer: Provider {
    let named: [String: ResourceID]
    var kinds: [Kind] { [.service] }

    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        var error = ProviderError("cannot render \(id.name)", code: .invalidSpec)
        error.resource = named[id.name]
        throw error
    }

    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] { [:] }
    func steps(for request: StepRequest) -> [StepAction] { [] }
    func execute(_ action: StepAction) async throws(ProviderError) {}
}
