import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Atomic writes through `LocalFileSystem`: content, exact mode, ownership, and no temporary file left behind.
struct LocalFileSystemWriteTests {
    let directory = TemporaryDirectory("chainbot-fs-write")
    var fileSystem: LocalFileSystem { LocalFileSystem(root: directory.path) }

    @Test func writesContentAndLeavesNoTemporaryFile() throws {
        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("a=1\n".utf8), mode: 0o640))

        #expect(Fixtures.readText(directory.file("etc/app.conf")) == "a=1\n")
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == ["app.conf"])
    }

    @Test func createsMissingParentDirectoriesWithMode0755() throws {
        try fileSystem.write(FileWrite(path: "/opt/alexos/conf.d/x.env", content: []))

        #expect(permissionBits(directory.file("opt")) == 0o755)
        #expect(permissionBits(directory.file("opt/alexos/conf.d")) == 0o755)
        #expect(Fixtures.read(directory.file("opt/alexos/conf.d/x.env")) == [])
    }

    // The test process's umask (normally 022) would clear group and other write bits if the mode were
    // given to open(2); fchmod is not subject to it.
    @Test(arguments: [0o600, 0o640, 0o644, 0o666, 0o777, 0o4755] as [UInt32])
    func setsModeExactlyWhateverTheUmask(mode: UInt32) throws {
        try fileSystem.write(FileWrite(path: "/m", content: Array("x".utf8), mode: mode))

        #expect(permissionBits(directory.file("m")) == mode)
    }

    @Test func replacesExistingFileByRenameNotInPlace() throws {
        directory.write("etc/app.conf", "old\n")
        // A hard link keeps the old inode reachable: an in-place rewrite would change what it shows.
        link(directory.file("etc/app.conf"), directory.file("etc/old-inode"))

        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("new\n".utf8)))

        #expect(Fixtures.readText(directory.file("etc/app.conf")) == "new\n")
        #expect(Fixtures.readText(directory.file("etc/old-inode")) == "old\n")
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == ["app.conf", "old-inode"])
    }

    @Test func replacesSymbolicLinkAtTargetWithoutTouchingWhatItPointsAt() throws {
        directory.write("elsewhere", "keep\n")
        Glibc.symlink(directory.file("elsewhere"), directory.file("link"))

        try fileSystem.write(FileWrite(path: "/link", content: Array("file\n".utf8)))

        #expect(try fileSystem.info("/link")?.type == .regular)
        #expect(Fixtures.readText(directory.file("link")) == "file\n")
        #expect(Fixtures.readText(directory.file("elsewhere")) == "keep\n")
    }

    @Test func failedRenameRemovesTemporaryFileAndNamesTarget() throws {
        // rename(2) cannot replace a non-empty directory with a file.
        directory.write("etc/app.conf/inside", "")

        let error = #expect(throws: ProviderError.self) {
            try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("x\n".utf8)))
        }

        #expect(error?.message == "rename \(directory.file("etc/app.conf")): Is a directory")
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == ["app.conf"])
    }

    @Test func keepsCreatorsOwnershipWhenOwnerAndGroupAreNotGiven() throws {
        try fileSystem.write(FileWrite(path: "/mine", content: []))

        let status = try #require(fileStatus(directory.file("mine")))
        #expect(status.st_uid == getuid())
        #expect(status.st_gid == getgid())
    }

    @Test(.enabled(if: runsAsRoot, "chown to root needs root"))
    func setsOwnerAndGroupRootByName() throws {
        try fileSystem.write(FileWrite(path: "/r", content: [], mode: 0o600, owner: "root", group: "root"))

        let info = try #require(try fileSystem.info("/r"))
        #expect(info.owner == "root")
        #expect(info.group == "root")
        #expect((info.uid, info.gid) == (0, 0))
    }

    @Test(.enabled(if: runsAsRoot, "chown to another user needs root"))
    func setsOwnerAndGroupNobodyByNameAndKeepsMode() throws {
        try fileSystem.write(
            FileWrite(path: "/n", content: Array("x".utf8), mode: 0o2750, owner: "nobody", group: "nogroup"))

        let info = try #require(try fileSystem.info("/n"))
        #expect(info.owner == "nobody")
        #expect(info.group == "nogroup")
        #expect(info.mode == 0o2750)
    }

    @Test func refusesUnknownUserBeforeCreatingAnything() {
        let error = #expect(throws: ProviderError.self) {
            try fileSystem.write(FileWrite(path: "/etc/x.conf", content: [], owner: "no-such-user-chainbot"))
        }

        #expect(error?.message == "no such user 'no-such-user-chainbot' (owner of /etc/x.conf)")
        #expect(Fixtures.list(directory.path, hidden: true) == [])
    }

    @Test func refusesUnknownGroupBeforeCreatingAnything() {
        let error = #expect(throws: ProviderError.self) {
            try fileSystem.write(FileWrite(path: "/x.conf", content: [], group: "no-such-group-chainbot"))
        }

        #expect(error?.message == "no such group 'no-such-group-chainbot' (group of /x.conf)")
        #expect(Fixtures.list(directory.path, hidden: true) == [])
    }

    @Test func writesLargeContentCompletely() throws {
        let content = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

        try fileSystem.write(FileWrite(path: "/big", content: content))

        #expect(try fileSystem.read("/big") == content)
    }
}
