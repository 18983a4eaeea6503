import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Host paths map under the root, and unsafe spellings are refused before the disk is touched.
struct LocalFileSystemPathTests {
    let directory = TemporaryDirectory("chainbot-fs-path")

    @Test func writesAndReadsUnderItsRoot() throws {
        let fileSystem = LocalFileSystem(root: directory.file("image") + "/")
        mkdir(directory.file("image"), 0o755)

        try fileSystem.write(FileWrite(path: "/etc/chainbot/a.env", content: Array("A=1\n".utf8)))

        #expect(fileSystem.root == directory.file("image") + "/")
        #expect(Fixtures.readText(directory.file("image/etc/chainbot/a.env")) == "A=1\n")
        #expect(try fileSystem.read("/etc/chainbot/a.env") == Array("A=1\n".utf8))
    }

    @Test func normalizesEmptyAndDotComponents() throws {
        let fileSystem = LocalFileSystem(root: directory.path)

        try fileSystem.write(FileWrite(path: "//etc/./x//y.conf", content: Array("y".utf8)))

        #expect(Fixtures.readText(directory.file("etc/x/y.conf")) == "y")
    }

    @Test(arguments: ["/etc/../../escape", "/..", "/etc/chainbot/.."])
    func refusesDotDotComponents(path: String) {
        let fileSystem = LocalFileSystem(root: directory.file("root"))

        let error = #expect(throws: ProviderError.self) {
            try fileSystem.write(FileWrite(path: path, content: Array("x".utf8)))
        }

        #expect(error?.message == "refusing path '\(path)': '..' components are not allowed")
        #expect(Fixtures.list(directory.path, hidden: true) == [])
    }

    @Test func refusesRelativePathsForEveryOperation() {
        let fileSystem = LocalFileSystem(root: directory.path)
        let expected = "refusing relative path 'etc/x': host paths must be absolute"

        #expect(throws: ProviderError(expected)) { try fileSystem.read("etc/x") }
        #expect(throws: ProviderError(expected)) { try fileSystem.info("etc/x") }
        #expect(throws: ProviderError(expected)) { try fileSystem.write(FileWrite(path: "etc/x", content: [])) }
        #expect(throws: ProviderError(expected)) { try fileSystem.remove("etc/x") }
        #expect(throws: ProviderError(expected)) { try fileSystem.list("etc/x") }
        #expect(throws: ProviderError(expected)) { try fileSystem.symlink("/t", at: "etc/x") }
        #expect(throws: ProviderError(expected)) { try fileSystem.readLink("etc/x") }
        #expect(Fixtures.list(directory.path, hidden: true) == [])
    }

    @Test func refusesToWriteTheRootItself() {
        #expect(throws: ProviderError("refusing to write '/': it is the root")) {
            try LocalFileSystem(root: directory.path).write(FileWrite(path: "/", content: []))
        }
    }
}
