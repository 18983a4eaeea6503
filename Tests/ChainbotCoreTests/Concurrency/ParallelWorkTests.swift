import ChainbotCore
import Glibc
import Synchronization
import Testing

/// `ParallelWork.forEach`: every index exactly once, spread over more than one thread when asked, and
/// all of it done when it returns.
@Suite struct ParallelWorkTests {
    @Test func everyIndexRunsOnceAndAllHaveRunWhenItReturns() {
        let seen = Mutex<[Int]>([])
        let threads = Mutex<Set<UInt>>([])
        ParallelWork.forEach(count: 500, width: 4) { index in
            // Slow enough that one thread cannot take them all before the others start.
            usleep(200)
            seen.withLock { $0.append(index) }
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
        }
        #expect(seen.withLock { $0.sorted() } == Array(0..<500))
        #expect(threads.withLock { $0.count } > 1)
    }

    @Test func oneWideOrOneItemRunsOnTheCallersThread() {
        let caller = UInt(pthread_self())
        let threads = Mutex<Set<UInt>>([])
        ParallelWork.forEach(count: 10, width: 1) { _ in threads.withLock { _ = $0.insert(UInt(pthread_self())) } }
        ParallelWork.forEach(count: 1, width: 8) { _ in threads.withLock { _ = $0.insert(UInt(pthread_self())) } }
        ParallelWork.forEach(count: 0, width: 8) { _ in Issue.record("no index to run") }
        #expect(threads.withLock { $0 } == [caller])
    }
}
