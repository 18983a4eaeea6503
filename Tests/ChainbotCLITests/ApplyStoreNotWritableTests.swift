import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// `chainbot apply` proves the state file takes writes before it changes the host (DESIGN §6): a state
/// file locked by another writer, read-only or on a full disk means exit 2, a message naming the file and
/// SQLite's error, and nothing applied.
@Suite struct ApplyStoreNotWritableTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    let runner = SpawnCommandRunner()

    /// A root with 5 files chainbot applied and that drifted since (the next apply rewrites them), its state
    /// file, and the manifests. `prepare` runs first (a mount under the root, say).
    private func setUp(_ work: TemporaryDirectory, prepare: (String) throws -> Void = { _ in }) async throws -> (
        root: String, state: String, manifest: String
    ) {
        let manifest = work.write(
            "m.yaml",
            (0..<5).map {
                "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: f\($0)}\n"
                    + "spec: {path: /etc/nw/f\($0).conf, content: \"x\"}\n"
            }.joined(separator: "---\n"))
        let root = work.file("root")
        mkdir(root, 0o755)
        try prepare(root)
        let converged = try await apply(manifest, root: root)
        try #require(converged.termination == .exited(0), "\(converged.errorOutput)")
        for index in 0..<5 { Fixtures.write(Self.file(root, index), "drift") }
        return (root, root + "/var/lib/chainbot/state.db", manifest)
    }

    static func file(_ root: String, _ index: Int) -> String { "\(root)/etc/nw/f\(index).conf" }

    private func apply(_ manifest: String, root: String) async throws -> CommandResult {
        try await runner.run(
            CommandInvocation(Self.binary, ["apply", "-f", manifest, "--root", root], timeout: .seconds(60)))
    }

    private func expectNothingApplied(_ result: CommandResult, root: String, state: String, _ problem: String)
        throws
    {
        #expect(result.termination == .exited(2))
        #expect(result.errorOutput.contains("state file \(state)"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains(problem), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("nothing was changed"), "\(result.errorOutput)")
        for index in 0..<5 {
            #expect(Fixtures.readText(Self.file(root, index)) == "drift", "f\(index) was rewritten")
        }
        #expect(Fixtures.list(root + "/etc/nw", hidden: true).count == 5, "temporary files were left")
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func aStateFileLockedByAnotherWriterStopsApplyBeforeAnyStep() async throws {
        let work = TemporaryDirectory("chainbot-notwritable")
        let (root, state, manifest) = try await setUp(work)
        // Another connection holds BEGIN EXCLUSIVE longer than apply's busy timeout (5 s).
        let other = try SQLiteDatabase(location: .path(state))
        try other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("BEGIN EXCLUSIVE")
        }
        let result = try await apply(manifest, root: root)
        try other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("ROLLBACK")
        }
        try expectNothingApplied(result, root: root, state: state, "is locked by another writer")
        let store = try SQLiteStateStore.open(path: state)
        #expect(try store.revisions(limit: 10).count == 1, "only the first apply is recorded")
    }

    @Test(
        .enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"),
        .enabled(if: geteuid() == 0, "bind mounts need root"))
    func aReadOnlyStateFileStopsApplyBeforeAnyStep() async throws {
        let work = TemporaryDirectory("chainbot-notwritable")
        let (root, state, manifest) = try await setUp(work)
        // chmod does not stop root: a read-only bind mount of the file itself does.
        guard mount(state, state, nil, UInt(MS_BIND), nil) == 0 else {
            Issue.record("bind mount of \(state) failed: errno \(errno)")
            return
        }
        defer { umount2(state, Int32(MNT_DETACH)) }
        try #require(mount(nil, state, nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY), nil) == 0)
        let result = try await apply(manifest, root: root)
        try expectNothingApplied(result, root: root, state: state, "readonly")
    }

    @Test(
        .enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"),
        .enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
    func aStateFileOnAFullDiskStopsApplyBeforeAnyStep() async throws {
        let work = TemporaryDirectory("chainbot-notwritable")
        var mounted: String?
        defer { mounted.map { _ = umount2($0, Int32(MNT_DETACH)) } }
        let (root, state, manifest) = try await setUp(work) { root in
            let directory = root + "/var/lib/chainbot"
            for path in [root + "/var", root + "/var/lib", directory] { mkdir(path, 0o755) }
            guard mount("tmpfs", directory, "tmpfs", 0, "size=1m") == 0 else {
                throw KillableChildError(message: "mounting a tmpfs on \(directory) failed: errno \(errno)")
            }
            mounted = directory
        }
        let directory = root + "/var/lib/chainbot"
        // Kept open, so the write-ahead log and its index stay; the log is emptied, so a new write must grow it.
        let store = try SQLiteStateStore.open(path: state)
        try store.database.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let filler = open(directory + "/filler", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try #require(filler >= 0)
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)
        let result = try await apply(manifest, root: root)
        try expectNothingApplied(result, root: root, state: state, "full")
        withExtendedLifetime(store) {}
    }
}
