import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

@testable import ChainbotProviders

/// The watchdog log's tail, quoted in an error, is read without blocking and within a bound.
struct FirewallGuardTailTests {
    let directory = TemporaryDirectory("chainbot-guard-tail")

    @Test func aFIFOInPlaceOfTheLogGivesNoTailAndDoesNotWaitForAWriter() throws {
        let fifo = directory.file("watchdog.log")
        try #require(mkfifo(fifo, 0o600) == 0)
        // A read that waits for a writer would hang the test: this writer ends that wait with a line the
        // expectation below then sees.
        let done = Atomic<Bool>(false)
        let rescuer = Task.detached {
            let deadline = ContinuousClock.now + .seconds(30)
            while !done.load(ordering: .acquiring) && ContinuousClock.now < deadline {
                let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if fd >= 0 {
                    _ = write(fd, "rescued\n", 8)
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

        #expect(FirewallGuard.tail(of: fifo, in: LocalFileSystem()) == "")
    }

    @Test func aLargeLogGivesItsLast2000Characters() {
        let line = String(repeating: "x", count: 99) + "\n"
        let path = directory.write("watchdog.log", String(repeating: line, count: 20_000) + "last line\n")

        let tail = FirewallGuard.tail(of: path, in: LocalFileSystem())

        #expect(tail.count == 2000)
        #expect(tail.hasSuffix("x\nlast line\n"))
    }
}
