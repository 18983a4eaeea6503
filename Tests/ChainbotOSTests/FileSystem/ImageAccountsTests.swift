import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Under an image root that has its own /etc/passwd and /etc/group, owners are the image's accounts.
@Suite(.enabled(if: getuid() == 0, "chown needs root"))
struct ImageAccountsTests {
    @Test func ownersResolveAgainstTheImagesAccountFiles() throws {
        let image = TemporaryDirectory("chainbot-image")
        image.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalex:x:1234:1235::/home/alex:/bin/bash\n")
        image.write("etc/group", "root:x:0:\nalex:x:1235:\n")
        let fileSystem = LocalFileSystem(root: image.path)
        try fileSystem.write(
            FileWrite(path: "/opt/alexos/.env", content: Array("A=1\n".utf8), mode: 0o600, owner: "alex", group: "alex")
        )
        var info = stat()
        #expect(stat(image.file("opt/alexos/.env"), &info) == 0)
        #expect(info.st_uid == 1234 && info.st_gid == 1235)
        let observed = try #require(try fileSystem.info("/opt/alexos/.env"))
        #expect(observed.owner == "alex" && observed.group == "alex")
    }

    @Test func anImageUserUnknownToTheImageIsAClearError() {
        let image = TemporaryDirectory("chainbot-image")
        image.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        image.write("etc/group", "root:x:0:\n")
        #expect(throws: ProviderError("no such user 'alex' (owner of /etc/x)")) {
            try LocalFileSystem(root: image.path).write(FileWrite(path: "/etc/x", content: [], owner: "alex"))
        }
    }
}
