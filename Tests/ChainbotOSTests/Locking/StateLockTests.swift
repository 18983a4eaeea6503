import ChainbotOS
import ChainbotTestSupport
import Glibc
import Synchronization
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

    /// More waiters than the cooperative pool has threads: a wait that blocked its thread would keep this
    /// test from ever releasing the lock, and every waiter would give up at its deadline.
    @Test func asyncWaitersHoldNoPoolThreadWhileTheyWait() async throws {
        let directory = TemporaryDirectory("chainbot-lock")
        let state = directory.file("state.db")
        var first: StateLock? = try await StateLock.acquire(for: state, timeout: .seconds(1))
        let waiters = 4 * max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let waiting = WaitingCount()
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<waiters {
                group.addTask {
                    let lock = try await StateLock.acquire(for: state, timeout: .seconds(20)) { _ in
                        waiting.count.add(1, ordering: .relaxed)
                    }
                    return lock.path
                }
            }
            // Released once every waiter found it busy (bounded only to catch a hang).
            let end = ContinuousClock.now + .seconds(120)
            while waiting.count.load(ordering: .relaxed) < waiters && ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(10))
            }
            withExtendedLifetime(first) {}
            first = nil
            var taken = 0
            for try await path in group where path == state + ".lock" { taken += 1 }
            #expect(taken == waiters)
        }
    }
}

/// How many waiters were told the lock is busy.
final class WaitingCount: Sendable {
    let count = Atomic<Int>(0)
}
