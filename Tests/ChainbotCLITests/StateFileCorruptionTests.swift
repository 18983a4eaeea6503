import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// A truncated or bit-flipped state file is an error naming the file, and nothing is applied.
@Suite struct StateFileCorruptionTests {
    static func manifest(_ text: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd, content: "\(text)\\n"}
        """
    }

    /// An image with the manifest applied, the file then edited by hand, and the state file damaged by
    /// `damage`; returns the paths.
    private func damaged(_ damage: ([UInt8]) -> [UInt8]) async throws -> (
        work: TemporaryDirectory, common: [String], state: String, root: String
    ) {
        let work = TemporaryDirectory("chainbot-corrupt")
        work.write("image/etc/.keep", "")
        let root = work.file("image")
        let manifests = work.write("manifests/motd.yaml", Self.manifest("wanted"))
        let state = work.file("state.db")
        let common = ["--root", root, "-f", manifests, "--state", state]
        let apply = await CLIHarness.run(["apply"] + common)
        try #require(apply.status == 0, "\(apply.stderr)")
        work.write("image/etc/motd", "edited by hand\n")
        // The last connection closed: SQLite checkpointed the WAL into the file and removed it.
        let bytes = try #require(Fixtures.read(state))
        try #require(!Fixtures.exists(state + "-wal") || (Fixtures.read(state + "-wal") ?? []).isEmpty)
        try #require(Fixtures.write(state, damage(bytes)))
        return (work, common, state, root)
    }

    private func expectRefused(_ world: (work: TemporaryDirectory, common: [String], state: String, root: String)) async
    {
        let apply = await CLIHarness.run(["apply"] + world.common)
        #expect(apply.status == 2, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains(world.state), "the error names the state file: \(apply.stderr)")
        #expect(Fixtures.readText(world.root + "/etc/motd") == "edited by hand\n", "nothing was applied")
        let status = await CLIHarness.run(["status", "--state", world.state])
        #expect(status.status == 2, "\(status.stdout)\(status.stderr)")
        #expect(status.stderr.contains(world.state))
    }

    @Test func aTruncatedStateFileIsRefusedAndNothingIsApplied() async throws {
        let world = try await damaged { Array($0.prefix($0.count / 2)) }
        await expectRefused(world)
    }

    @Test func aBitFlippedStateFileIsRefusedAndNothingIsApplied() async throws {
        // Byte 100 is the first b-tree page's type (the schema table): flipped, nothing can be read.
        let world = try await damaged { bytes in
            var copy = bytes
            copy[100] ^= 0xFF
            return copy
        }
        await expectRefused(world)
    }
}
