import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// Typed reasons, condition types and resource identities change no byte of the state file: reasons and
/// conditions are stored as the words they always were, and a file written with those words reads back
/// as the typed constants.
@Suite struct TypedVocabularyStoreTests {
    static let at = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    /// The text of one column of the first row `sql` selects.
    static func text(_ store: SQLiteStateStore, _ sql: String) throws -> String? {
        try store.database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.queryFirst(sql) { row throws(StoreError) in try row.text(at: 0) }
        }
    }

    @Test func conditionsAreStoredAsPlainWordsAndReadBackAsTheirConstants() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"))
        let conditions = [
            Condition(
                type: .synced, status: true, reason: .converged, message: "matches the manifests",
                lastTransitionTime: Self.at),
            Condition(
                type: .healthy, status: false, reason: Condition.Reason(Health.degraded), message: "probe failed",
                lastTransitionTime: Self.at, streak: 2),
        ]
        try store.recordStatus(
            ResourceStatus(
                kind: "Service", name: "web", sync: .synced, health: .degraded, conditions: conditions,
                updatedAt: Self.at))

        let json = try #require(try Self.text(store, "SELECT conditions_json FROM resource_status"))
        let parsed = try JSONValue(parsing: json)
        #expect(parsed.array?.map { $0["type"]?.string } == ["Synced", "Healthy"])
        #expect(parsed.array?.map { $0["reason"]?.string } == ["Converged", "Degraded"])
        let reopened = try SQLiteStateStore.open(path: directory.file("state.db")).allStatus()
        #expect(reopened.first?.conditions == conditions)
    }

    @Test func aStatusWrittenAsWordsReadsBackAsTheTypedConstants() throws {
        let store = try SQLiteStateStore.inMemory()
        try store.database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute(
                """
                INSERT INTO resource_status (kind, name, sync, health, conditions_json, updated_at)
                VALUES ('Port', 'api', 'OutOfSync', 'Healthy',
                    '[{"type":"Synced","status":false,"reason":"LeftTheManifests","message":"left",\
                "lastTransitionTime":1700000000000}]', 1700000000000)
                """)
        }
        let condition = try #require(try store.allStatus().first?.conditions.first)
        #expect(condition.type == .synced)
        #expect(condition.reason == .leftTheManifests)
    }

    @Test func anEventsReasonIsStoredAsItsWord() throws {
        let store = try SQLiteStateStore.inMemory()
        try store.recordEvent(
            Event(
                type: .warning, reason: .firewallReverted, regardingKind: "Firewall", regardingName: "host",
                message: "put back"),
            outboxPayload: nil)
        #expect(try Self.text(store, "SELECT reason FROM events") == "FirewallReverted")
        #expect(
            try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).map(\.event.reason) == [.firewallReverted])
    }

    @Test func aResourceIDForgetsTheAppliedRecordTheStatusAndTheSuspensionOfThatResourceOnly() throws {
        let store = try SQLiteStateStore.inMemory()
        for name in ["web", "api"] {
            try store.recordApplied(
                AppliedResource(
                    kind: "Service", name: name, specJSON: "{}", specHash: "h", generation: "g1", appliedAt: Self.at,
                    createdByChainbot: true))
            try store.recordStatus(
                ResourceStatus(kind: "Service", name: name, sync: .synced, health: .healthy, updatedAt: Self.at))
            try store.suspend(
                Suspension(kind: "Service", name: name, until: Self.at.advanced(by: .seconds(60)), reason: ""))
        }
        let web = ResourceID(.service, "web")

        #expect(try store.applied(web)?.name == "web")
        #expect(try store.deleteApplied(web))
        try store.deleteStatus(web)
        #expect(try store.resume(web))

        #expect(try store.applied(web) == nil)
        #expect(try !store.deleteApplied(web))
        #expect(try !store.resume(web))
        #expect(try store.allApplied().map(\.name) == ["api"])
        #expect(try store.allStatus().map(\.reference) == ["Service/api"])
        #expect(try store.suspensions(at: Self.at).map(\.reference) == ["Service/api"])
    }

    @Test func aMetaKeyReadsWhatItsWordWrote() throws {
        let store = try SQLiteStateStore.inMemory()
        try store.setMeta("agent.lastSync", "1700000000000")
        try store.setMeta(.pinReason, "maintenance")
        #expect(try store.meta(.agentLastSync) == "1700000000000")
        #expect(try store.meta("pin.reason") == "maintenance")
        try store.setMeta(.pinReason, nil)
        #expect(try store.meta(.pinReason) == nil)
    }
}
