import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// Each key's outcome, decided from what the apply met: terminal only when no retry can help.
@Suite struct OutcomeTests {
    let services = FakeProvider([.service])
    let files = FakeProvider([.configFile])
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    private func report(_ desired: [Resource]) async throws -> ApplyReport {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = Reconciler(providers: [services, files], store: store, now: clock)
        let prepared = try await engine.prepare(desired, prune: false, force: false)
        return try await engine.apply(prepared, generation: "g1", gitCommit: nil)
    }

    @Test func aStepThatFailedWithAnErrorNoRetryCanFixIsTerminalAndTheRestConverged() async throws {
        services.fail(.systemctl(.start, unit: "a.service"))
        let report = try await report([Resources.service("a"), Resources.configFile("env")])
        let a = ResourceID(.service, "a")
        let env = ResourceID(.configFile, "env")
        let outcomes = report.outcomes(for: [a, env], resync: .seconds(60))
        #expect(outcomes[a] == .terminal("systemctl start a.service failed"))
        #expect(outcomes[env] == .converged)
    }

    @Test func anObserveErrorThatARetryCanOutliveIsRetryable() async throws {
        services.failObserving(ProviderError("systemctl show timed out", retryable: true))
        let a = ResourceID(.service, "a")
        let outcomes = try await report([Resources.service("a")]).outcomes(for: [a], resync: .seconds(60))
        #expect(outcomes[a] == .retryable("systemctl show timed out"))
    }

    @Test func aStepBlockedByAnotherResourcesFailureIsRetryable() async throws {
        let env = ResourceID(.configFile, "env")
        let a = ResourceID(.service, "a")
        files.fail(.writeFile(FileWrite(path: "/fake/ConfigFile/env", content: [])))
        let report = try await report([Resources.configFile("env"), Resources.service("a", dependsOn: [env])])
        let outcomes = report.outcomes(for: [a, env], resync: .seconds(60))
        #expect(outcomes[env]?.failed == true)
        #expect(outcomes[a] == .retryable("not converged"), "a's dependency may recover")
    }

    @Test func aWatchtowerTargetProbedMoreOftenThanTheResyncComesBackAtItsInterval() async throws {
        let here = SourceLocation(file: "test.yaml", line: 1, column: 1)
        let target = Resource(
            metadata: Metadata(name: "web"),
            spec: .watchtowerTarget(WatchtowerTargetSpec(type: .tcp, target: "127.0.0.1:1", interval: .seconds(10))),
            location: here, nameLocation: here)
        let report = ApplyReport(
            prepared: PreparedRun(plan: Plan(resources: [], steps: []), failures: [], desired: [target], applied: [:]),
            records: [], revision: nil, changed: [], unchanged: [target.id], failed: [], pruned: [])
        #expect(report.outcomes(for: [target.id], resync: .seconds(60)) == [target.id: .requeueAfter(.seconds(10))])
        #expect(report.outcomes(for: [target.id], resync: .seconds(5)) == [target.id: .converged])
    }
}
