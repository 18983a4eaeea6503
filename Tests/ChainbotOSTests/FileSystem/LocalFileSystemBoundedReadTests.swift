import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// Reads through `LocalFileSystem` take regular files only, of a bounded size, under every root strategy.
struct LocalFileSystemBoundedReadTests {
    let directory = TemporaryDirectory("chainbot-fs-bounded")

    @Test func aFIFOIsRefusedWithItsPathWithoutWaitingForAWriter() throws {
        let fifo = directory.file("etc/pipe")
        mkdir(directory.file("etc"), 0o755)
        try #require(mkfifo(fifo, 0o644) == 0)
        // A read that waits for a writer would hang the test: this writer ends that wait (the read then
        // sees an empty file and the expectation below fails instead).
        let done = Atomic<Bool>(false)
        let rescuer = Task.detached {
            let deadline = ContinuousClock.now + .seconds(30)
            while !done.load(ordering: .acquiring) && ContinuousClock.now < deadline {
                let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if fd >= 0 {
                    close(fd)
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer {
            done.store(true, ordering: .releasing)
            rescuer.cancel()
        }

        #expect(throws: ProviderError("read \(fifo): not a regular file (a FIFO); chainbot reads only regular files")) {
            try LocalFileSystem(root: directory.path).read("/etc/pipe")
        }
        // Through a link inside the root as well.
        Glibc.symlink("/etc/pipe", directory.file("link"))
        #expect(
            throws: ProviderError(
                "read \(directory.file("link")): not a regular file (a FIFO); chainbot reads only regular files")
        ) {
            try LocalFileSystem(root: directory.path).read("/link")
        }
    }

    @Test func aCharacterDeviceIsRefusedBeforeAnythingIsRead() {
        #expect(
            throws: ProviderError(
                "read /dev/null: not a regular file (a character device); chainbot reads only regular files")
        ) {
            try LocalFileSystem(readLimit: 4096).read("/dev/null")
        }
        #expect(
            throws: ProviderError(
                "read /dev/zero: not a regular file (a character device); chainbot reads only regular files")
        ) {
            try LocalFileSystem(readLimit: 4096).read("/dev/zero")
        }
    }

    @Test func aFileOverTheLimitIsAnErrorNamingPathAndLimit() throws {
        directory.write("big", String(repeating: "x", count: 11))
        directory.write("fits", String(repeating: "x", count: 10))
        let fileSystem = LocalFileSystem(root: directory.path, readLimit: 10)

        #expect(try fileSystem.read("/fits")?.count == 10)
        #expect(
            throws: ProviderError(
                "read \(directory.file("big")): larger than 10 bytes, the most chainbot reads of one file")
        ) {
            try fileSystem.read("/big")
        }
    }

    @Test func theDefaultLimitIs16MiBAndASparseFileIsRefusedWithoutReadingIt() throws {
        let path = directory.write("sparse", "")
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        try #require(ftruncate(fd, (16 << 20) + 1) == 0)
        close(fd)

        #expect(
            throws: ProviderError("read \(path): larger than 16 MiB, the most chainbot reads of one file")
        ) {
            try LocalFileSystem(root: directory.path).read("/sparse")
        }
        let huge = directory.write("huge", "")
        let hugeFD = open(huge, O_WRONLY | O_CLOEXEC)
        try #require(hugeFD >= 0)
        // A terabyte, where the filesystem allows a file that size: refused from its size alone.
        let grown = ftruncate(hugeFD, 1 << 40) == 0
        close(hugeFD)
        if grown {
            #expect(
                throws: ProviderError("read \(huge): larger than 16 MiB, the most chainbot reads of one file")
            ) {
                try LocalFileSystem(root: directory.path).read("/huge")
            }
        }
    }

    @Test func aProcFileThatReportsSizeZeroIsCountedAsItIsRead() throws {
        #expect(try LocalFileSystem().read("/proc/self/status")?.isEmpty == false)
        #expect(
            throws: ProviderError("read /proc/self/status: larger than 16 bytes, the most chainbot reads of one file")
        ) {
            try LocalFileSystem(readLimit: 16).read("/proc/self/status")
        }
    }
}
