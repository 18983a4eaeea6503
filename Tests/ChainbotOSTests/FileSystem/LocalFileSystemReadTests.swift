import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Reading, inspecting, listing, removing and linking through `LocalFileSystem`.
struct LocalFileSystemReadTests {
    let directory = TemporaryDirectory("chainbot-fs-read")
    var fileSystem: LocalFileSystem { LocalFileSystem(root: directory.path) }

    @Test func readsNilForMissingFileOrMissingParent() throws {
        directory.write("plain", "x")

        #expect(try fileSystem.read("/missing") == nil)
        #expect(try fileSystem.read("/no/such/dir/file") == nil)
        #expect(try fileSystem.read("/plain/below") == nil)
    }

    @Test func readErrorNamesPathAndErrnoText() {
        mkdir(directory.file("dir"), 0o755)

        #expect(throws: ProviderError("read \(directory.file("dir")): Is a directory")) {
            try fileSystem.read("/dir")
        }
    }

    @Test func infoDescribesFileDirectoryAndLinkWithoutFollowing() throws {
        directory.write("etc/a.conf", "12345")
        chmod(directory.file("etc/a.conf"), 0o640)
        Glibc.symlink("/etc/a.conf", directory.file("link"))

        let file = try #require(try fileSystem.info("/etc/a.conf"))
        #expect(file.type == .regular)
        #expect(file.mode == 0o640)
        #expect(file.size == 5)
        #expect(file.uid == getuid())
        #expect(file.owner == String(cString: getpwuid(getuid()).pointee.pw_name))
        #expect(try fileSystem.info("/etc")?.type == .directory)
        #expect(try fileSystem.info("/link")?.type == .symlink)
        #expect(try fileSystem.info("/missing") == nil)
    }

    @Test func removesFileAndAcceptsMissingOne() throws {
        directory.write("x", "x")

        try fileSystem.remove("/x")
        try fileSystem.remove("/x")
        try fileSystem.remove("/no/such/dir/x")

        #expect(Fixtures.list(directory.path, hidden: true) == [])
    }

    @Test func refusesToRemoveDirectory() {
        mkdir(directory.file("dir"), 0o755)

        #expect(throws: ProviderError("unlink \(directory.file("dir")): Is a directory")) {
            try fileSystem.remove("/dir")
        }
    }

    @Test func listsNamesSortedWithHiddenOnesAndWithoutDotEntries() throws {
        for name in ["b.conf", "a.conf", ".hidden", "C.conf", "a.conf.d/x"] { directory.write("d/" + name, "") }

        #expect(try fileSystem.list("/d") == [".hidden", "C.conf", "a.conf", "a.conf.d", "b.conf"])
        #expect(try fileSystem.list("/missing") == [])
    }

    @Test func createsSymbolicLinkWithParentsAndReadsItBack() throws {
        try fileSystem.symlink(
            "/etc/systemd/system/x.service", at: "/etc/systemd/system/multi-user.target.wants/x.service")

        #expect(
            try fileSystem.readLink("/etc/systemd/system/multi-user.target.wants/x.service")
                == "/etc/systemd/system/x.service")
        #expect(permissionBits(directory.file("etc/systemd/system/multi-user.target.wants")) == 0o755)
    }

    @Test func replacesExistingLinkAndFileAtomically() throws {
        try fileSystem.symlink("/old", at: "/l")
        try fileSystem.symlink("/new", at: "/l")
        directory.write("f", "x")
        try fileSystem.symlink("/target", at: "/f")

        #expect(try fileSystem.readLink("/l") == "/new")
        #expect(try fileSystem.readLink("/f") == "/target")
        #expect(Fixtures.list(directory.path, hidden: true) == ["f", "l"])
    }

    @Test func readLinkIsNilForRegularOrMissingFile() throws {
        directory.write("f", "x")

        #expect(try fileSystem.readLink("/f") == nil)
        #expect(try fileSystem.readLink("/missing") == nil)
    }

    @Test func readsLongLinkTarget() throws {
        let target = "/" + String(repeating: "long-component/", count: 60) + "end"

        try fileSystem.symlink(target, at: "/long")

        #expect(try fileSystem.readLink("/long") == target)
    }
}
