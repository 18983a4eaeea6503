import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A chainbot killed between writing `.NAME.chainbot-XXXXXX` and renaming it over NAME leaves the hidden
/// file behind; the next write, link or removal of NAME removes it, and nothing else. Real files under a
/// temporary root.
struct StaleTemporaryCleanupTests {
    let directory = TemporaryDirectory("chainbot-fs-stale-temp")
    var fileSystem: LocalFileSystem { LocalFileSystem(root: directory.path) }

    /// Names beside `etc/app.conf` that look like leftovers but are not app.conf's, or are not files.
    func plantLookalikes() {
        directory.write("etc/.app.conf.chainbot-bad", "three letters\n")
        directory.write("etc/.app.conf.chainbot-Ab12Cd7", "seven letters\n")
        directory.write("etc/.app.conf.chainbot-Ab-2Cd", "not a letter\n")
        directory.write("etc/.other.conf.chainbot-Ab12Cd", "another name's\n")
        directory.write("etc/app.conf.chainbot-Ab12Cd", "not hidden\n")
        #expect(mkdir(directory.file("etc/.app.conf.chainbot-Dir000"), 0o755) == 0)
    }

    static let lookalikes = [
        ".app.conf.chainbot-Ab-2Cd", ".app.conf.chainbot-Ab12Cd7", ".app.conf.chainbot-Dir000",
        ".app.conf.chainbot-bad", ".other.conf.chainbot-Ab12Cd", "app.conf.chainbot-Ab12Cd",
    ]

    @Test func writingAFileRemovesTheTemporaryFilesAKilledWriterLeftBesideItAndNothingElse() throws {
        directory.write("etc/.app.conf.chainbot-x7Yz01", "half a fi")
        directory.write("etc/.app.conf.chainbot-QQQQQQ", "")
        plantLookalikes()

        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("a=1\n".utf8)))

        #expect(Fixtures.readText(directory.file("etc/app.conf")) == "a=1\n")
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == (["app.conf"] + Self.lookalikes).sorted())
    }

    @Test func removingAFileRemovesItsStaleTemporaryFilesToo() throws {
        directory.write("etc/app.conf", "a=1\n")
        directory.write("etc/.app.conf.chainbot-x7Yz01", "half a fi")
        plantLookalikes()

        try fileSystem.remove("/etc/app.conf")

        #expect(Fixtures.list(directory.file("etc"), hidden: true) == Self.lookalikes)
    }

    @Test func aTemporaryFileThatALiveWriterHoldsIsLeftUntilItsWriterIsGone() throws {
        let stale = directory.write("etc/.app.conf.chainbot-x7Yz01", "being written")
        // Another chainbot in the middle of its write holds the lock on its temporary file.
        let writer = open(stale, O_RDONLY | O_CLOEXEC)
        try #require(writer >= 0 && flock(writer, LOCK_EX) == 0)

        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("a=1\n".utf8)))
        #expect(Fixtures.exists(stale), "a live writer's temporary file was removed")

        close(writer)
        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("a=2\n".utf8)))
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == ["app.conf"])
    }

    @Test func aStaleTemporaryLinkIsRemovedAndWhatItPointsAtIsNot() throws {
        let target = directory.write("keep/target", "kept\n")
        let old = directory.file("etc/.app.conf.chainbot-Lk34Mn")
        let young = directory.file("etc/.app.conf.chainbot-Yo56Ng")
        directory.write("etc/.keep", "")
        try #require(symlink(target, old) == 0 && symlink(target, young) == 0)
        // A link made ten minutes ago: a live writer renames its link microseconds after making it.
        var times = [timespec(tv_sec: time(nil) - 600, tv_nsec: 0), timespec(tv_sec: time(nil) - 600, tv_nsec: 0)]
        try #require(utimensat(AT_FDCWD, old, &times, AT_SYMLINK_NOFOLLOW) == 0)

        try fileSystem.symlink("/keep/target", at: "/etc/app.conf")

        #expect(
            Fixtures.list(directory.file("etc"), hidden: true) == [".app.conf.chainbot-Yo56Ng", ".keep", "app.conf"])
        #expect(Fixtures.readText(target) == "kept\n")
    }

    @Test func leftoversOutsideTheRootAreNeverTouched() throws {
        let outside = TemporaryDirectory("chainbot-fs-stale-outside")
        let stale = outside.write("etc/.app.conf.chainbot-x7Yz01", "someone else's\n")
        // /etc in the image is a link to the outside directory's absolute path: inside the root it
        // resolves under the root, never to the outside directory.
        try #require(symlink(outside.file("etc"), directory.file("etc")) == 0)

        try fileSystem.write(FileWrite(path: "/etc/app.conf", content: Array("a=1\n".utf8)))

        #expect(Fixtures.exists(stale))
        #expect(Fixtures.list(outside.file("etc"), hidden: true) == [".app.conf.chainbot-x7Yz01"])
    }

    @Test func twoWritersOfOneFileNeverRemoveEachOthersTemporaryFile() async throws {
        let fileSystem = fileSystem
        let failures = await withTaskGroup(of: [String].self) { group in
            for writer in 0..<2 {
                group.addTask {
                    var failed: [String] = []
                    for round in 0..<300 {
                        let content = Array("writer \(writer) round \(round)\n".utf8)
                        do { try fileSystem.write(FileWrite(path: "/etc/app.conf", content: content)) } catch {
                            failed.append("\(error)")
                        }
                    }
                    return failed
                }
            }
            return await group.reduce([], +)
        }
        #expect(failures.isEmpty, "\(failures.count) failed writes: \(Set(failures))")
        #expect(Fixtures.list(directory.file("etc"), hidden: true) == ["app.conf"])
    }
}
