import ChainbotCore
import ChainbotStore
import Synchronization
import Testing

@testable import ChainbotEngine

/// One agent pass as engine code, over a real SQLite store and fake providers: what it applies, what it
/// records, and each key's outcome.
@Suite struct ReconcilePassTests {
    let services = FakeProvider([.service])
    let a = ResourceID(.service, "a")
    let b = ResourceID(.service, "b")
    let time = WallTime(1_700_000_000_000)

    var now: @Sendable () -> Timestamp {
        { [time] in Timestamp(millisecondsSinceEpoch: time.milliseconds) }
    }

    func pass(_ store: SQLiteStateStore) -> ReconcilePass {
        ReconcilePass(
            store: store, reconciler: Reconciler(providers: [services], store: store, now: now), now: now,
            prune: false, resync: .seconds(60), outboxPayload: nil)
    }

    let desired = ReconcilePass.Desired(
        resources: [Resources.service("a"), Resources.service("b")], generation: "g1", gitCommit: nil)

    @Test func aPassAppliesTheBatchAndRecordsItsStatusesAndTheTimeOfTheSync() async throws {
        let store = try SQLiteStateStore.inMemory(now: now)
        let report = await pass(store).run([a], desired: desired)

        #expect(report.error == nil)
        #expect(report.outcomes == [a: .converged])
        #expect(report.changed == 1)
        #expect(report.result == SyncResult(outcomes: [a: .converged], changed: true))
        #expect(services.executed.contains(.systemctl(.start, unit: "a.service")))
        #expect(!services.executed.contains(.systemctl(.start, unit: "b.service")), "b is not in the batch")
        let statuses = try store.allStatus()
        #expect(statuses.map(\.name) == ["a"])
        #expect(statuses.first?.observedGeneration == "g1")
        #expect(try store.meta(ReconcilePass.lastSyncKey) == "1700000000000")
        #expect(try store.meta(ReconcilePass.lastSuccessfulSyncKey) == "1700000000000")
    }

    @Test func aFailedPassMovesTheLastSyncButNotTheLastSuccessfulOne() async throws {
        let store = try SQLiteStateStore.inMemory(now: now)
        _ = await pass(store).run([a], desired: desired)
        time.advance(by: 60_000)
        services.fail(.systemctl(.start, unit: "b.service"))

        let report = await pass(store).run([b], desired: desired)
        #expect(report.outcomes == [b: .terminal("systemctl start b.service failed")])
        #expect(report.result.failed)
        #expect(try store.meta(ReconcilePass.lastSyncKey) == "1700000060000")
        #expect(try store.meta(ReconcilePass.lastSuccessfulSyncKey) == "1700000000000")
    }

    @Test func aResourceSuspendedInTheStoreIsHeldByThePass() async throws {
        let store = try SQLiteStateStore.inMemory(now: now)
        try store.suspend(
            Suspension(
                kind: "Service", name: "a", until: Timestamp(millisecondsSinceEpoch: 1_800_000_000_000),
                reason: "maintenance"))
        let report = await pass(store).run([a], desired: desired)

        #expect(services.executed.isEmpty, "a is suspended: no step of it runs")
        #expect(report.changed == 0)
    }
}

/// A wall clock the test sets, in milliseconds since the epoch.
final class WallTime: Sendable {
    private let value: Mutex<Int64>
    init(_ milliseconds: Int64) { value = Mutex(milliseconds) }
    var milliseconds: Int64 { value.withLock { $0 } }
    func advance(by milliseconds: Int64) { value.withLock { $0 += milliseconds } }
}
