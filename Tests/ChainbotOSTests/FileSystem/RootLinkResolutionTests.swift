import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotOS

/// Links that stay inside an image root work as they would on the booted image: absolute targets are
/// taken from the image root, relative ones from their directory; a loop is an error naming the path.
struct RootLinkResolutionTests {
    static let strategies: [RootResolver.Strategy] = [.kernelInRoot, .walk]
    let work = TemporaryDirectory("chainbot-links")
    var image: String { work.file("image") }

    func fileSystem(_ strategy: RootResolver.Strategy) -> LocalFileSystem {
        LocalFileSystem(root: image, strategy: strategy)
    }

    @Test(arguments: strategies)
    func absoluteLinksAreTakenFromTheImageRoot(strategy: RootResolver.Strategy) throws {
        work.write("image/usr/lib/os-release", "ID=debian\n")
        work.write("image/boot/fw/cmdline.txt", "quiet\n")
        work.write("image/etc/.keep", "")
        Glibc.symlink("/usr/lib/os-release", image + "/etc/os-release")
        Glibc.symlink("/boot/fw", image + "/boot/firmware")
        let fileSystem = fileSystem(strategy)

        #expect(try fileSystem.read("/etc/os-release") == Array("ID=debian\n".utf8))
        #expect(try fileSystem.list("/boot/firmware") == ["cmdline.txt"])
        #expect(try fileSystem.info("/boot/firmware/cmdline.txt")?.size == 6)
        try fileSystem.write(FileWrite(path: "/boot/firmware/config.txt", content: Array("a=1\n".utf8)))
        #expect(Fixtures.readText(image + "/boot/fw/config.txt") == "a=1\n")
    }

    @Test(arguments: strategies)
    func dotDotInALinkStopsAtTheImageRoot(strategy: RootResolver.Strategy) throws {
        work.write("image/srv/data/a.txt", "a\n")
        work.write("image/etc/.keep", "")
        Glibc.symlink("../../../../../srv/data", image + "/etc/data")

        #expect(try fileSystem(strategy).read("/etc/data/a.txt") == Array("a\n".utf8))
    }

    @Test(arguments: strategies)
    func aLinkThroughAMissingDirectoryIsMadeInsideTheRoot(strategy: RootResolver.Strategy) throws {
        work.write("image/etc/.keep", "")
        Glibc.symlink("/var/lib/app", image + "/etc/app")

        try fileSystem(strategy).write(FileWrite(path: "/etc/app/state", content: Array("s".utf8)))

        #expect(Fixtures.readText(image + "/var/lib/app/state") == "s")
    }

    @Test(arguments: strategies)
    func aLinkLoopFailsNamingThePath(strategy: RootResolver.Strategy) {
        work.write("image/etc/.keep", "")
        Glibc.symlink("/etc/b", image + "/etc/a")
        Glibc.symlink("/etc/a", image + "/etc/b")

        let error = #expect(throws: ProviderError.self) { try fileSystem(strategy).read("/etc/a/x") }
        #expect(error?.message.contains(image + "/etc/") == true)
        #expect(error?.message.hasSuffix("Too many levels of symbolic links") == true)
    }

    @Test(arguments: strategies)
    func aFileInTheWayOfAParentIsAnErrorNamingIt(strategy: RootResolver.Strategy) {
        work.write("image/etc", "a file\n")

        let error = #expect(throws: ProviderError.self) {
            try fileSystem(strategy).write(FileWrite(path: "/etc/x/y", content: []))
        }
        #expect(error?.message.contains(image + "/etc") == true)
        #expect(Fixtures.readText(image + "/etc") == "a file\n")
    }
}
