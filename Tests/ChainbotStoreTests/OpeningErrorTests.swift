import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotStore

@Suite("Opening the state file")
struct OpeningErrorTests {
    @Test func fileOfRandomBytesIsNotADatabase() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        var generator = SystemRandomNumberGenerator()
        try writeFile(path, (0..<4096).map { _ in generator.next() })
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .notADatabase)
        #expect(error?.description == "state file \(path) is not a SQLite database (file is not a database)")
    }

    @Test func damagedDatabaseIsReportedAsCorrupt() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        // A valid 100-byte header followed by a first page of garbage: SQLite reads the header, then fails.
        let header = Array("SQLite format 3\u{0}".utf8) + [0x10, 0x00, 1, 1, 0, 64, 32, 32] + [0, 0, 0, 1]
        let rest = [UInt8](repeating: 0, count: 100 - header.count - 4) + [0, 0, 0, 0]
        let page = header + rest + [UInt8](repeating: 0xAB, count: 4096 - 100)
        try writeFile(path, page)
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .corrupt)
        #expect(error?.description == "state file \(path) is corrupt (database disk image is malformed)")
    }

    @Test func directoryIsNotOpenedAsADatabase() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("state.db")
        #expect(mkdir(path, 0o700) == 0)
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.description == "cannot open state file \(path): unable to open database file (Is a directory)")
    }

    @Test func unwritableMissingDirectoryIsNamed() throws {
        // Nothing can be created under /proc, not even by root.
        let path = "/proc/chainbot-test-\(getpid())/state/state.db"
        let error = #expect(throws: StoreError.self) { try SQLiteStateStore.open(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(
            error?.description
                == "cannot open state file \(path): cannot create directory /proc/chainbot-test-\(getpid()): "
                + "No such file or directory")
    }

    @Test func missingDirectoryWithoutCreatingIsNamed() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("missing/state.db")
        let error = #expect(throws: StoreError.self) { try SQLiteDatabase(location: .path(path)) }
        #expect(error?.code == .cannotOpen)
        #expect(
            error?.description
                == "cannot open state file \(path): unable to open database file (No such file or directory)")
    }

    @Test func openCreatesMissingParentDirectoriesPrivately() throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let path = directory.file("var/lib/chainbot/state.db")
        _ = try SQLiteStateStore.open(path: path)
        for created in ["var", "var/lib", "var/lib/chainbot"] {
            var status = stat()
            #expect(stat(directory.file(created), &status) == 0)
            #expect(status.st_mode & 0o777 == 0o700, "\(created) has mode \(String(status.st_mode & 0o777, radix: 8))")
        }
        #expect(access(path, F_OK) == 0)
    }
}
