import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Directories, renames, tails and disk space through `LocalFileSystem`, inside its root.
struct LocalFileSystemRuntimeTests {
    let directory = TemporaryDirectory("chainbot-fs-runtime")
    var fileSystem: LocalFileSystem { LocalFileSystem(root: directory.path) }

    @Test func makeDirectoryCreatesEveryMissingLevelWithTheModeWhateverTheUmask() throws {
        try fileSystem.makeDirectory("/run/chainbot/firewall", mode: 0o700)
        try fileSystem.makeDirectory("/run/chainbot/firewall", mode: 0o700)

        #expect(try fileSystem.info("/run/chainbot")?.mode == 0o700)
        #expect(try fileSystem.info("/run/chainbot/firewall")?.mode == 0o700)
        #expect(try fileSystem.info("/run/chainbot/firewall")?.type == .directory)
    }

    @Test func renameWinsOnceAndIsFalseWhenNothingIsThere() throws {
        _ = directory.write("pending-1", "x\n")

        #expect(try fileSystem.rename("/pending-1", to: "/confirmed-1"))
        #expect(try !fileSystem.rename("/pending-1", to: "/reverting-1"))
        #expect(Fixtures.readText(directory.file("confirmed-1")) == "x\n")
        #expect(try fileSystem.info("/reverting-1") == nil)
    }

    @Test func readTailGivesTheLastBytesAndRefusesAFIFOWithoutWaiting() throws {
        _ = directory.write("log", String(repeating: "a", count: 100_000) + "end\n")
        try #require(mkfifo(directory.file("fifo"), 0o600) == 0)

        #expect(try fileSystem.readTail("/log", limit: 6) == Array("aaend\n".utf8))
        #expect(try fileSystem.readTail("/missing", limit: 6) == nil)
        #expect(throws: ProviderError.self) { try fileSystem.readTail("/fifo", limit: 6) }
    }

    @Test func spaceIsWhatStatvfsSaysAndNilForAMissingPath() throws {
        let measured = try #require(try fileSystem.space("/"))
        var status = statvfs()
        try #require(statvfs(directory.path, &status) == 0)

        #expect(measured.totalBytes == UInt64(status.f_blocks) * UInt64(status.f_frsize))
        #expect(measured.availableBytes > 0)
        #expect(try fileSystem.space("/no/such/dir") == nil)
    }

    @Test func aLinkOutOfTheRootIsMeasuredInsideTheRoot() throws {
        // `/proc` outside is a filesystem of 0 blocks; inside this root there is no /proc at all.
        try #require(symlink("/proc", directory.file("outside")) == 0)

        #expect(try fileSystem.space("/outside") == nil)
        #expect(try LocalFileSystem().space("/proc")?.totalBytes == 0)
    }
}
