import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// A restart or reload that failed after its write is owed: recorded in the store, planned again on every
/// run until it succeeds, although the host then looks right.
@Suite struct PendingStepsTests {
    let services = FakeProvider([.service])
    let files = FakeProvider([.configFile])
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }
    let app = ResourceID(.service, "app")
    let env = ResourceID(.configFile, "env")
    let restart = StepAction.systemctl(.restart, unit: "app.service")

    private func run(_ store: SQLiteStateStore) async throws -> ApplyReport {
        let engine = Reconciler(providers: [services, files], store: store, now: clock)
        let prepared = try await engine.prepare(
            [Resources.configFile("env", notify: [app]), Resources.service("app")], prune: false, force: false)
        return try await engine.apply(prepared, generation: "g1", gitCommit: nil)
    }

    @Test func aRestartThatFailedAfterItsWriteIsRetriedUntilItSucceeds() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        services.see(app, ["content": .text("x"), "state": .word("running")])
        services.fail(restart)

        let first = try await run(store)
        #expect(first.failed == [app])
        #expect(files.executed == [.writeFile(FileWrite(path: "/fake/ConfigFile/env", content: []))])
        let owed = try store.allPending()
        #expect(owed.map(\.action) == [PendingAction(restart)])
        #expect(owed.first?.resource == app)
        #expect(owed.first?.lastError == "systemctl restart app.service failed")

        // The file is right now: only the store says the restart is still owed.
        files.see(env, ["content": .text("x")])
        let second = try await run(store)
        #expect(second.records.map(\.step.action) == [restart])
        let plan = try #require(second.prepared.plan.resources.first { $0.id == app })
        #expect(plan.action == .update)
        #expect(plan.notes.first?.hasPrefix("owed since ") == true)
        #expect(try store.allPending().count == 1, "it failed again")

        services.succeed(restart)
        let third = try await run(store)
        #expect(third.converged)
        #expect(third.records.map(\.step.action) == [restart])
        #expect(try store.allPending().isEmpty)

        let fourth = try await run(store)
        #expect(fourth.records.isEmpty, "nothing is owed any more")
    }

    @Test func aRestartBlockedByAFailedWriteIsNotOwed() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        services.see(app, ["content": .text("x"), "state": .word("running")])
        files.fail(.writeFile(FileWrite(path: "/fake/ConfigFile/env", content: [])))
        let report = try await run(store)
        #expect(report.failed.contains(env))
        #expect(try store.allPending().isEmpty)
    }
}
