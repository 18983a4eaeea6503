import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// inotify on paths chainbot owns, whose folders may not exist yet or may be removed and made again.
@Suite struct FileWatcherOwnedPathsTests {
    final class Seen: Sendable {
        let paths = Mutex<[String]>([])
        func add(_ path: String) { paths.withLock { $0.append(path) } }
        func contains(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }
    }

    static func watch(_ owned: [String], directories: [String] = []) throws -> (FileWatcher, Seen) {
        let seen = Seen()
        let watcher = try FileWatcher(
            ownedPaths: owned, directories: directories, onChange: { seen.add($0) }, onLost: { _ in })
        return (watcher, seen)
    }

    @Test func aWriteToAnOwnedFileIsReported() async throws {
        let work = TemporaryDirectory("chainbot-owned")
        let file = work.write("a.conf", "one\n")
        let (watcher, seen) = try Self.watch([file])
        defer { watcher.stop() }
        #expect(Fixtures.write(file, "two\n"))
        #expect(try await Poll.within(.seconds(60)) { seen.contains(file) })
    }

    @Test func anOwnedFileWhoseFoldersDoNotExistYetIsReportedOnceTheyAreMadeAndItIsWritten() async throws {
        let work = TemporaryDirectory("chainbot-owned")
        let file = work.file("etc/deep/app/a.conf")
        let (watcher, seen) = try Self.watch([file])
        defer { watcher.stop() }
        // Made one level at a time, as mkdir -p does; each new folder is watched as it appears.
        for folder in ["etc", "etc/deep", "etc/deep/app"] { #expect(mkdir(work.file(folder), 0o755) == 0) }
        let written = try await Poll.within(.seconds(60)) {
            _ = Fixtures.write(file, "x\n")
            return seen.contains(file)
        }
        #expect(written)
    }

    @Test func aFolderRemovedAndMadeAgainIsWatchedAgain() async throws {
        let work = TemporaryDirectory("chainbot-owned")
        #expect(mkdir(work.file("etc"), 0o755) == 0)
        let file = work.write("etc/a.conf", "one\n")
        let (watcher, seen) = try Self.watch([file])
        defer { watcher.stop() }
        TemporaryDirectory.remove(work.file("etc"))
        #expect(try await Poll.within(.seconds(60)) { seen.contains(work.file("etc")) })
        #expect(mkdir(work.file("etc"), 0o755) == 0)
        let again = try await Poll.within(.seconds(60)) {
            _ = Fixtures.write(file, "two\n")
            return seen.paths.withLock { $0.filter { $0 == file }.count >= 2 }
        }
        #expect(again, "\(seen.paths.withLock { $0 })")
    }

    @Test func everyEntryOfAnOwnedDirectoryIsReported() async throws {
        let work = TemporaryDirectory("chainbot-owned")
        let folder = work.file("web.service.d")
        let (watcher, seen) = try Self.watch([], directories: [folder])
        defer { watcher.stop() }
        #expect(mkdir(folder, 0o755) == 0)
        let dropIn = folder + "/limits.conf"
        #expect(try await Poll.within(.seconds(60)) { seen.contains(folder) })
        let written = try await Poll.within(.seconds(60)) {
            _ = Fixtures.write(dropIn, "[Service]\n")
            return seen.contains(dropIn)
        }
        #expect(written)
    }
}
