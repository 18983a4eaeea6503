import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

/// A long-running child read line by line as it writes.
@Suite struct StreamedChildTests {
    final class Seen: Sendable {
        let lines = Mutex<[String]>([])
        let exit = Mutex<String?>(nil)
    }

    static func start(_ script: String) throws -> (StreamedChild, Seen) {
        let seen = Seen()
        let child = try StreamedChild(
            CommandInvocation("/bin/sh", ["-c", script]), onLine: { line in seen.lines.withLock { $0.append(line) } },
            onExit: { why in seen.exit.withLock { $0 = why } })
        return (child, seen)
    }

    @Test func linesArriveWhileTheChildRunsAndItsEndIsReportedWithItsStatusAndError() async throws {
        let marker = TemporaryDirectory("chainbot-streamed")
        let go = marker.file("go")
        // The second line waits for the test to have seen the first: no buffering until exit.
        let (child, seen) = try Self.start(
            "echo first; while [ ! -e \(go) ]; do sleep 0.05; done; printf 'second\\nthird'; echo oops >&2; exit 3")
        defer { child.stop() }
        #expect(try await Poll.within(.seconds(120)) { seen.lines.withLock { $0 } == ["first"] })
        #expect(Fixtures.write(go, ""))
        #expect(try await Poll.within(.seconds(120)) { seen.exit.withLock { $0 } != nil })
        #expect(seen.lines.withLock { $0 } == ["first", "second"])
        let exit = try #require(seen.exit.withLock { $0 })
        #expect(exit.hasSuffix("ended (exit status 3): oops"), "\(exit)")
    }

    @Test func stopEndsTheChildWithoutReportingAnExit() async throws {
        let (child, seen) = try Self.start("echo up; exec sleep 600")
        #expect(try await Poll.within(.seconds(120)) { seen.lines.withLock { $0 } == ["up"] })
        child.stop()
        let gone = try await Poll.within(.seconds(120)) { kill(child.pid, 0) != 0 }
        #expect(gone, "pid \(child.pid) still runs")
        #expect(seen.exit.withLock { $0 } == nil)
    }
}
