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

/// The outbox stays bounded while ALEX OS is away, and what it folds is summarised, not lost silently.
@Suite struct OutboxBoundTests {
    @Test func theOldestUndeliveredEntriesAreFoldedIntoOneSummary() throws {
        var store = try SQLiteStateStore.inMemory()
        store.outboxLimit = 20
        for index in 0..<25 {
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Applied", regardingKind: "Service", regardingName: "s\(index)", message: "m"
                ),
                outboxPayload: { stored, key in "{\"key\":\"\(key)\",\"id\":\(stored.id)}" })
        }
        // 21 pending triggered a fold of 21 - 20 + 2 = 3; then 22…25 stay within the bound again after
        // the next folds.
        let pending = try store.pendingOutboxCount()
        #expect(pending <= 21, "bounded: \(pending)")
        let entries = try store.pendingOutboxEntries(limit: 100)
        // It regards chainbot on this host (as the health report does), not a resource `Host/chainbot`.
        let summary = try #require(entries.first { $0.kind == "Chainbot" })
        #expect(summary.name == KernelHostName.read())
        #expect(!entries.contains { $0.kind == "Host" })
        let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
        let overflow = try #require(events.first { $0.event.reason == "OutboxOverflow" })
        #expect(overflow.event.message.contains("undelivered events from"), "\(overflow.event.message)")
        #expect(overflow.event.message.contains("(Applied)"))
        // The folded events are still in chainbot's own list.
        #expect(events.filter { $0.event.reason == "Applied" }.count == 25)
        // Every folded entry is accounted for: delivered count + pending + folded = enqueued.
        let folded = events.filter { $0.event.reason == "OutboxOverflow" }.map { event -> Int in
            (Int(event.event.message.prefix { $0.isNumber }) ?? 0) * event.count
        }.reduce(0, +)
        let overflowEntries = entries.filter { $0.kind == "Chainbot" }.count
        #expect(pending - overflowEntries + folded == 25)
    }

    @Test func theSummaryRegardsTheHostByTheNameItWasGiven() throws {
        var store = try SQLiteStateStore.inMemory()
        store.outboxLimit = 2
        store.hostName = "pi-kitchen"
        for index in 0..<4 {
            try store.recordEvent(
                Event(
                    type: .normal, reason: "Applied", regardingKind: "Service", regardingName: "s\(index)", message: "m"
                ),
                outboxPayload: { stored, key in "{\"key\":\"\(key)\",\"id\":\(stored.id)}" })
        }
        let names = try store.pendingOutboxEntries(limit: 100).filter { $0.kind == "Chainbot" }.map(\.name)
        #expect(!names.isEmpty && names.allSatisfy { $0 == "pi-kitchen" }, "\(names)")
    }
}
