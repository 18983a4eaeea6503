import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// Only regular files are read, each with a size limit, and only so many of them.
@Suite struct FileLimitTests {
    static let service =
        "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata:\n  name: NAME\nspec:\n  exec: /bin/true\n"

    static func shown(_ set: ManifestSet) -> [String] {
        set.diagnostics.map { "\($0.location) [\($0.code.rawValue)] \($0.message)" }
    }

    /// Runs `body` while a helper opens `fifo` for writing whenever a reader is blocked on it, so code
    /// that opens a FIFO without O_NONBLOCK fails the test (it reads an empty file) instead of hanging.
    static func releasingBlockedReaders<T>(of fifo: String, _ body: () -> T) async -> T {
        let done = Atomic<Bool>(false)
        let helper = Task.detached {
            while !done.load(ordering: .acquiring) {
                let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if fd >= 0 { close(fd) }
                usleep(20_000)
            }
        }
        let result = body()
        done.store(true, ordering: .releasing)
        await helper.value
        return result
    }

    @Test func aFIFONamedOnTheCommandLineIsADiagnosticNotAHang() async {
        let directory = TemporaryDirectory()
        let fifo = directory.file("pipe.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        let set = await Self.releasingBlockedReaders(of: fifo) { ManifestLoader().load([fifo]) }
        #expect(
            Self.shown(set) == [
                "\(fifo):0:0 [not-a-regular-file] \(fifo) is a FIFO, not a regular file; only regular files are read"
            ])
        #expect(!set.isValid && !set.hasIOErrors)
    }

    @Test func aFIFOOrDeviceInAManifestDirectoryIsADiagnosticBesideTheOtherFiles() async {
        let directory = TemporaryDirectory()
        directory.write("a.yaml", Self.service.replacing("NAME", with: "a"))
        let fifo = directory.file("b.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(symlink("/dev/zero", directory.file("c.yml")) == 0)
        let set = await Self.releasingBlockedReaders(of: fifo) { ManifestLoader().load([directory.path]) }
        #expect(
            Self.shown(set) == [
                "\(fifo):0:0 [not-a-regular-file] \(fifo) is a FIFO, not a regular file; only regular files are read",
                "\(directory.file("c.yml")):0:0 [not-a-regular-file] \(directory.file("c.yml")) is a character device, not a regular file; only regular files are read",
            ])
        #expect(set.resources.map(\.id.name) == ["a"])
    }

    @Test func aSourceFileThatIsAFIFOOrTooLargeIsRefusedAtTheSourceValue() {
        let directory = TemporaryDirectory()
        #expect(mkfifo(directory.file("pipe.txt"), 0o600) == 0)
        directory.write("big.txt", String(repeating: "x", count: 2_000))
        let marked = MarkedText(
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: a
            spec:
              path: /etc/a
              source: 1️⃣pipe.txt
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata:
              name: b
            spec:
              path: /etc/b
              source: 2️⃣big.txt

            """)
        let manifest = directory.write("files.yaml", marked.text)
        let set = ManifestLoader(maxSourceBytes: 1_000).load([manifest])
        let at = { (marker: String) in "\(manifest):\(marked[marker].line):\(marked[marker].column)" }
        #expect(
            Self.shown(set) == [
                "\(at("1️⃣")) [not-a-regular-file] source file 'pipe.txt' is a FIFO in ConfigFile 'a': only regular files are read (\(directory.file("pipe.txt")))",
                "\(at("2️⃣")) [file-too-large] source file 'big.txt' is too large in ConfigFile 'b': 2000 bytes; the limit is 1000 bytes",
            ])
    }

    @Test func filesBeyondTheFileLimitAreOneDiagnosticAndAreNotRead() {
        let directory = TemporaryDirectory()
        for name in ["a", "b", "c", "d"] {
            directory.write("\(name).yaml", Self.service.replacing("NAME", with: name))
        }
        let set = ManifestLoader(maxFiles: 2).load([directory.path])
        #expect(
            Self.shown(set) == [
                "\(directory.file("c.yaml")):0:0 [too-many-files] more than 2 manifest files; \(directory.file("c.yaml")) and the files after it were not read"
            ])
        #expect(set.files.map(\.path) == [directory.file("a.yaml"), directory.file("b.yaml")])
    }

    @Test func aReadFileHoldsOnlyItsOwnBytes() throws {
        let directory = TemporaryDirectory()
        directory.write("empty.yaml", "")
        directory.write("one.yaml", Self.service.replacing("NAME", with: "one"))
        let set = ManifestLoader().load([directory.path])
        // The read buffer's spare 64 KiB used to stay attached to every file for the whole load.
        for file in set.files {
            #expect(file.bytes.capacity < file.bytes.count + 4_096, "\(file.path): \(file.bytes.capacity)")
        }
    }

    @Test func theBoundedReaderRefusesDevicesAndFIFOsWithoutReadingThem() async {
        let directory = TemporaryDirectory()
        let fifo = directory.file("config.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(RegularFile.read("/dev/zero", maxBytes: 1 << 20) == .failure(.notRegular("a character device")))
        let fromFIFO = await Self.releasingBlockedReaders(of: fifo) { RegularFile.read(fifo, maxBytes: 1 << 20) }
        #expect(fromFIFO == .failure(.notRegular("a FIFO")))
        let large = directory.write("large.yaml", String(repeating: "a", count: 2_048))
        #expect(RegularFile.read(large, maxBytes: 1_024) == .failure(.tooLarge(2_048)))
        #expect(RegularFile.read(large, maxBytes: 4_096).map(\.count) == .success(2_048))
    }
}
