import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotStore

/// A pass that changes nothing writes nothing to the state file (issue 15): on a Pi's SD card a write per
/// resource and pass adds up to about a gigabyte a day.
@Suite struct UnchangedWritesNothingTests {
    /// The state file and its write-ahead log (which stays while the store is open): sizes and digests.
    struct Files: Equatable, CustomStringConvertible {
        var database: FileDigest
        var log: FileDigest

        init(_ path: String) {
            database = FileDigest(path)
            log = FileDigest(path + "-wal")
        }

        var description: String { "state file \(database), log \(log)" }
    }

    static let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)

    static func status(_ health: Health, at time: Timestamp) -> ResourceStatus {
        let synced = Condition(
            type: "Synced", status: true, reason: "Applied", message: "matches", lastTransitionTime: start)
        return ResourceStatus(
            kind: "ConfigFile", name: "motd", sync: .synced, health: health, conditions: [synced],
            observedGeneration: "sha256:abc", updatedAt: time)
    }

    @Test func recordingAStatusThatDidNotChangeLeavesTheFileAndItsLogAsTheyWere() throws {
        let directory = TemporaryDirectory("chainbot-noop-store")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        try store.recordStatus(Self.status(.healthy, at: Self.start))
        let before = Files(path)
        #expect(before.log.size > 0)

        try store.recordStatus(Self.status(.healthy, at: Self.start.advanced(by: .seconds(60))))
        #expect(Files(path) == before)
        // updatedAt says when the status last changed.
        #expect(try store.allStatus().map(\.updatedAt) == [Self.start])

        let changed = Self.start.advanced(by: .seconds(120))
        try store.recordStatus(Self.status(.degraded, at: changed))
        #expect(Files(path) != before)
        let stored = try SQLiteStateStore.open(path: path).allStatus()
        #expect(stored.map(\.health) == [.degraded])
        #expect(stored.map(\.updatedAt) == [changed])
    }

    @Test func settingAFactToTheValueItHasWritesNothingAndAPassesStampsAreOneWrite() throws {
        let directory = TemporaryDirectory("chainbot-noop-meta")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path)
        try store.setMeta(.agentGeneration, "sha256:abc")
        let before = Files(path)
        try store.setMeta(.agentGeneration, "sha256:abc")
        try store.setMeta([(.agentGeneration, "sha256:abc"), (.agentManifestProblem, nil)])
        #expect(Files(path) == before)

        let pageSize = try store.database.withConnection {
            (connection: borrowing SQLiteConnection) throws(StoreError) -> Int? in
            try connection.queryFirst("PRAGMA page_size") { (row) throws(StoreError) in try row.int(at: 0) }
        }
        try store.setMeta([(.agentLastSync, "1700000000000"), (.agentLastSuccessfulSync, "1700000000000")])
        let lastPass = Files(path)
        try store.setMeta([(.agentLastSync, "1700000060000"), (.agentLastSuccessfulSync, "1700000060000")])
        // One commit of the one page that holds the facts: one frame (a 24-byte header and the page).
        let grown = Files(path).log.size - lastPass.log.size
        #expect(grown == 24 + (pageSize ?? 0))
        #expect(try store.meta(.agentLastSync) == "1700000060000")
        #expect(try store.meta(.agentLastSuccessfulSync) == "1700000060000")
    }
}

/// A file's size and FNV-1a digest (0 and 0 when it is missing), to compare files without printing them.
struct FileDigest: Equatable, CustomStringConvertible {
    var size: Int
    var digest: UInt64

    init(_ path: String) {
        let bytes = Fixtures.read(path) ?? []
        size = bytes.count
        digest = bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    var description: String { "\(size) bytes, digest \(String(digest, radix: 16))" }
}
