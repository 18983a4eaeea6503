import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotOS

/// Under an image root, a symbolic link that points out of the root is read as the booted image would
/// read it, so no operation of the filesystem seam touches anything outside (OUTSIDE stays byte for byte).
struct RootContainmentTests {
    @Test(arguments: containmentCases)
    func writingThroughALinkLandsInsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let before = fixture.outsideTree()

        try fixture.fileSystem.write(FileWrite(path: "/etc/app/secret", content: Array("mine\n".utf8), mode: 0o644))

        #expect(fixture.outsideTree() == before)
        #expect(Fixtures.readText(fixture.containedTarget + "/secret") == "mine\n")
        #expect(try fixture.fileSystem.read("/etc/app/secret") == Array("mine\n".utf8))
    }

    @Test(arguments: containmentCases)
    func missingParentsAreMadeInsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let before = fixture.outsideTree()

        try fixture.fileSystem.write(FileWrite(path: "/etc/app/sub/new/x.conf", content: Array("x".utf8)))

        #expect(fixture.outsideTree() == before)
        #expect(Fixtures.readText(fixture.containedTarget + "/sub/new/x.conf") == "x")
        #expect(permissionBits(fixture.containedTarget + "/sub/new") == 0o755)
    }

    @Test(.enabled(if: runsAsRoot, "chown needs root"), arguments: containmentCases)
    func modeAndOwnerAreSetInsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let before = fixture.outsideTree()

        try fixture.fileSystem.write(
            FileWrite(path: "/etc/app/secret", content: [], mode: 0o4755, owner: "nobody", group: "nogroup"))

        #expect(fixture.outsideTree() == before)
        let status = try #require(fileStatus(fixture.containedTarget + "/secret"))
        #expect(status.st_mode & 0o7777 == 0o4755)
        #expect(Accounts.userName(of: status.st_uid) == "nobody")
    }

    @Test(arguments: containmentCases)
    func readingInfoAndLinksThroughALinkSeeOnlyTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let fileSystem = fixture.fileSystem

        #expect(try fileSystem.read("/etc/app/secret") == nil)
        #expect(try fileSystem.info("/etc/app/secret") == nil)
        #expect(try fileSystem.readLink("/etc/app/outlink") == nil)
        #expect(try fileSystem.list("/etc/app") == [])
        #expect(try fileSystem.list("/etc/app/sub") == [])
    }

    @Test(arguments: containmentCases)
    func aFinalLinkOutIsReadInsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let hostname = link == .absolute ? fixture.outside + "/secret" : "../../outside/secret"
        Glibc.symlink(hostname, fixture.image + "/etc/hostname")

        #expect(try fixture.fileSystem.read("/etc/hostname") == nil)

        fixture.work.write(
            link == .absolute ? "image" + fixture.outside + "/secret" : "image/outside/secret", "image's own\n")
        #expect(try fixture.fileSystem.read("/etc/hostname") == Array("image's own\n".utf8))
    }

    @Test(arguments: containmentCases)
    func removingThroughALinkLeavesOutsideAlone(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let before = fixture.outsideTree()

        try fixture.fileSystem.remove("/etc/app/secret")
        try fixture.fileSystem.remove("/etc/app/outlink")
        try fixture.fileSystem.remove("/etc/app/sub/deep.conf")

        #expect(fixture.outsideTree() == before)
    }

    @Test(arguments: containmentCases)
    func linkingThroughALinkLandsInsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) throws {
        let fixture = RootContainmentFixture(link, strategy)
        let before = fixture.outsideTree()

        // Replacing an existing name is a rename; a new one needs its parent made.
        try fixture.fileSystem.symlink("/elsewhere", at: "/etc/app/outlink")
        try fixture.fileSystem.symlink("/elsewhere", at: "/etc/app/sub/l")

        #expect(fixture.outsideTree() == before)
        #expect(try fixture.fileSystem.readLink("/etc/app/outlink") == "/elsewhere")
        #expect(try fixture.fileSystem.readLink("/etc/app/sub/l") == "/elsewhere")
        #expect(fileStatus(fixture.containedTarget + "/sub/l") != nil)
    }

    @Test(.enabled(if: runsAsRoot, "chown needs root"), arguments: containmentCases)
    func accountsAreNeverReadFromFilesOutsideTheRoot(link: EscapeLink, strategy: RootResolver.Strategy) {
        let fixture = RootContainmentFixture(link, strategy)
        let prefix = link == .absolute ? fixture.outside : "../outside"
        Glibc.symlink(prefix + "/passwd", fixture.image + "/etc/passwd")
        Glibc.symlink(prefix + "/group", fixture.image + "/etc/group")

        // OUTSIDE's passwd knows the user; the image (and this build machine) do not.
        #expect(throws: ProviderError("no such user 'chainbot-outsider' (owner of /x)")) {
            try fixture.fileSystem.write(FileWrite(path: "/x", content: [], owner: "chainbot-outsider"))
        }
    }
}
