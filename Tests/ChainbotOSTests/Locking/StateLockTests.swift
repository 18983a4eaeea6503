import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@Suite struct StateLockTests {
    @Test func aSecondHolderWaitsThenGivesUpNamingTheFirst() throws {
        let directory = TemporaryDirectory("chainbot-lock")
        let state = directory.file("nested/state.db")
        let first = try StateLock.acquire(for: state, timeout: .seconds(1))
        var announced: Int32?? = nil
        #expect(throws: SystemError.self) {
            _ = try StateLock.acquire(for: state, timeout: .milliseconds(200)) { holder in announced = holder }
        }
        #expect(announced == .some(getpid()))
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceReleased() throws {
        let directory = TemporaryDirectory("chainbot-lock")
        let state = directory.file("state.db")
        do {
            let held = try StateLock.acquire(for: state, timeout: .seconds(1))
            withExtendedLifetime(held) {}
        }
        let again = try StateLock.acquire(for: state, timeout: .milliseconds(100))
        #expect(again.path == state + ".lock")
    }
}
