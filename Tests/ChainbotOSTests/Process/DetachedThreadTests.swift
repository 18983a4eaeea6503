import Glibc
import Testing

@testable import ChainbotOS

/// Threads chainbot starts carry names of their own, so `top -H`, `ps -L` and the benchmarks can tell the
/// D-Bus lane from the settle watch or a dispatch worker (an unnamed thread has its creator's name).
@Suite struct DetachedThreadTests {
    /// The calling thread's name as the kernel reports it.
    static func ownName() -> String {
        let path = "/proc/thread-self/comm"
        guard let file = fopen(path, "r") else { return "(no \(path))" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "" }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    @Test func aStartedThreadHasTheNameItWasGiven() async throws {
        let name = try await DetachedThread.run(name: "cb-test-named") { () throws(SystemError) in
            Self.ownName()
        } noThread: {
            $0
        }
        #expect(name == "cb-test-named")
    }

    @Test func theLaneThreadIsNamed() async {
        #expect(await BlockingLane.shared.run { Self.ownName() } == "cb-lane")
    }

    @Test func aLongNameIsCutToFifteenBytesAtACharacterBoundary() async throws {
        #expect(DetachedThread.threadName("cb-systemd unit monitor") == "cb-systemd unit")
        #expect(DetachedThread.threadName("cb-überwachung-x") == "cb-überwachung")
        let name = try await DetachedThread.run(name: "cb-a-rather-long-name") { () throws(SystemError) in
            Self.ownName()
        } noThread: {
            $0
        }
        #expect(name == "cb-a-rather-lon")
    }
}
