import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// Resource status and suspensions survive a reopen of the state file.
@Suite struct StatusStoreTests {
    @Test func statusIsReplacedPerResourceAndKeepsItsConditions() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        let at = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        let synced = Condition(
            type: "Synced", status: false, reason: "DriftDetected", message: "state: stopped → running",
            lastTransitionTime: at)
        try store.recordStatus(
            ResourceStatus(
                kind: "Service", name: "web", sync: .outOfSync, health: .degraded, conditions: [synced],
                observedGeneration: "abc", updatedAt: at))
        try store.recordStatus(
            ResourceStatus(kind: "Port", name: "api", sync: .synced, health: .healthy, updatedAt: at))
        try store.recordStatus(
            ResourceStatus(
                kind: "Service", name: "web", sync: .synced, health: .healthy, updatedAt: at.advanced(by: .seconds(1))))

        let reopened = try SQLiteStateStore.open(path: path).allStatus()
        #expect(reopened.map(\.reference) == ["Port/api", "Service/web"])
        #expect(reopened[1].sync == .synced)
        #expect(reopened[1].conditions.isEmpty)
        #expect(reopened[1].updatedAt == at.advanced(by: .seconds(1)))

        try store.recordStatus(
            ResourceStatus(
                kind: "Service", name: "web", sync: .outOfSync, health: .degraded, conditions: [synced],
                observedGeneration: "abc", updatedAt: at))
        #expect(try store.allStatus()[1].conditions == [synced])
        try store.deleteStatus(kind: "Port", name: "api")
        #expect(try store.allStatus().map(\.reference) == ["Service/web"])
    }

    @Test func suspensionsExpireAndCanBeEndedEarly() throws {
        let store = try SQLiteStateStore.inMemory()
        let now = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        try store.suspend(
            Suspension(kind: "Service", name: "web", until: now.advanced(by: .seconds(7200)), reason: "maintenance"))
        try store.suspend(Suspension(kind: "Port", name: "api", until: now.advanced(by: .seconds(60)), reason: ""))
        #expect(try store.suspensions(at: now).map(\.reference) == ["Port/api", "Service/web"])
        #expect(try store.suspensions(at: now.advanced(by: .seconds(61))).map(\.reference) == ["Service/web"])
        #expect(try store.resume(kind: "Service", name: "web"))
        #expect(try !store.resume(kind: "Service", name: "web"))
        #expect(try store.suspensions(at: now).map(\.reference) == ["Port/api"])
    }
}
