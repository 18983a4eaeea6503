import ChainbotTestSupport
import Dispatch
import Glibc
import Testing

@testable import ChainbotOS

/// `WorkerPool`, the `chainbot` binary's default executor, driven here as a task executor preference:
/// jobs run on its named threads, sleeps wait on its timer thread, a queue behind blocked workers gets
/// another worker, and workers without work wait without waking.
@Suite struct WorkerPoolTests {
    /// The calling thread's name.
    static func threadName() -> String {
        Fixtures.readText("/proc/thread-self/comm")?.split(separator: "\n").first.map(String.init) ?? ""
    }

    /// This process's threads named `name`, with their voluntary context switches (each a wake-up).
    static func threads(named name: String) -> [Int: Int] {
        var found: [Int: Int] = [:]
        for (tid, thread) in ProcessThreads.names() where thread == name {
            found[tid] = ProcessThreads.voluntarySwitches(tid: tid) ?? -1
        }
        return found
    }

    /// Waits (up to 60 s: a loaded machine) for `condition`; records a failure when it never holds.
    static func waitFor(_ condition: () -> Bool) async throws {
        try #require(try await Poll.within(.seconds(60)) { condition() }, "the condition did not hold within 60 s")
    }

    @Test func everyJobOfEveryTaskRunsOnTheWorkersAndEachGetsItsResult() async {
        var settings = WorkerPool.Settings(baseWorkers: 3)
        settings.workerName = "tp-run-w"
        settings.timerName = "tp-run-t"
        let pool = WorkerPool(settings: settings)
        let results = await withTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask(executorPreference: pool) {
                    await Task.yield()
                    return (index * index, Self.threadName())
                }
            }
            var results: [(Int, String)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.map(\.0).sorted() == (0..<200).map { $0 * $0 })
        #expect(Set(results.map(\.1)) == ["tp-run-w"])
        #expect(pool.counts.workers <= 3)
    }

    @Test func aSleepWaitsOnThePoolsTimerForAtLeastItsDurationOnEitherClock() async throws {
        var settings = WorkerPool.Settings(baseWorkers: 2)
        settings.workerName = "tp-sleep-w"
        settings.timerName = "tp-sleep-t"
        let pool = WorkerPool(settings: settings)
        let elapsed = try await Task(executorPreference: pool) {
            let start = ContinuousClock.now
            try await Task.sleep(for: .milliseconds(50))
            let continuous = ContinuousClock.now - start
            let suspendingStart = SuspendingClock.now
            try await SuspendingClock().sleep(for: .milliseconds(30))
            return (continuous, SuspendingClock.now - suspendingStart, Self.threadName())
        }.value
        #expect(elapsed.0 >= .milliseconds(50))
        #expect(elapsed.1 >= .milliseconds(30))
        #expect(elapsed.2 == "tp-sleep-w")
        #expect(pool.counts.timedQueued == 2)
        #expect(Self.threads(named: "tp-sleep-t").count == 1)
    }

    @Test func aCancelledSleepEndsAtOnceAlthoughItsDeadlineIsAnHourAway() async throws {
        var settings = WorkerPool.Settings(baseWorkers: 2)
        settings.workerName = "tp-cancel-w"
        settings.timerName = "tp-cancel-t"
        let pool = WorkerPool(settings: settings)
        let sleeper = Task(executorPreference: pool) {
            let start = ContinuousClock.now
            var cancelled = false
            do { try await Task.sleep(for: .seconds(3600)) } catch is CancellationError { cancelled = true } catch {}
            return (cancelled, ContinuousClock.now - start)
        }
        try await Self.waitFor { pool.counts.timedJobs == 1 }
        sleeper.cancel()
        let (cancelled, elapsed) = await sleeper.value
        #expect(cancelled)
        #expect(elapsed < .seconds(60))
    }

    @Test func sleepsEndInDeadlineOrderWhateverOrderTheyStartIn() async throws {
        // One worker: jobs run in the order the timer made them ready, and the group sees them end so.
        var settings = WorkerPool.Settings(baseWorkers: 1, maxWorkers: 1)
        settings.workerName = "tp-order-w"
        settings.timerName = "tp-order-t"
        let pool = WorkerPool(settings: settings)
        let order = await withTaskGroup(of: Int.self) { group in
            for delay in [120, 20, 80, 50, 0] {
                group.addTask(executorPreference: pool) {
                    try? await Task.sleep(for: .milliseconds(delay))
                    return delay
                }
            }
            var order: [Int] = []
            for await delay in group { order.append(delay) }
            return order
        }
        #expect(order == [0, 20, 50, 80, 120])
    }

    @Test func aQueueBehindBlockedWorkersGetsAnotherWorkerAndItEndsWhenIdle() async throws {
        var settings = WorkerPool.Settings(
            baseWorkers: 1, maxWorkers: 4, stallCheck: .milliseconds(20), surplusIdle: .milliseconds(300))
        settings.workerName = "tp-stall-w"
        settings.timerName = "tp-stall-t"
        let pool = WorkerPool(settings: settings)
        let released = DispatchSemaphore(value: 0)
        // The first job blocks the only base worker until the second, queued behind it, runs: only a
        // surplus worker lets it. The wait is bounded so a pool without the rescue fails, not hangs.
        let blocked = Task(executorPreference: pool) {
            released.wait(timeout: .now() + .seconds(60)) == .success
        }
        try await Self.waitFor { pool.counts.workers == 1 && pool.counts.idleWorkers == 0 }
        let releaser = Task(executorPreference: pool) { released.signal() }
        #expect(await blocked.value, "the job queued behind the blocked worker never ran")
        _ = await releaser.value
        #expect(pool.counts.surplusStarted >= 1)
        try await Self.waitFor { pool.counts.workers == 1 }
    }

    @Test func workersAndTheTimerWithNothingToDoDoNotWakeUp() async throws {
        var settings = WorkerPool.Settings(baseWorkers: 2)
        settings.workerName = "tp-idle-w"
        settings.timerName = "tp-idle-t"
        let pool = WorkerPool(settings: settings)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask(executorPreference: pool) { try? await Task.sleep(for: .milliseconds(5)) }
            }
        }
        try await Self.waitFor {
            let counts = pool.counts
            return counts.idleWorkers == counts.workers && counts.timedJobs == 0 && counts.timerAsleep
        }
        let threads = Self.threads(named: "tp-idle-w").merging(Self.threads(named: "tp-idle-t")) { $1 }
        #expect(threads.count == pool.counts.workers + 1)
        // What is measured is that nothing happens: an interval is the measure, not a guess at timing.
        try await Task.sleep(for: .milliseconds(1500))
        let later = Self.threads(named: "tp-idle-w").merging(Self.threads(named: "tp-idle-t")) { $1 }
        #expect(later == threads, "idle pool threads woke: \(threads) → \(later)")
    }
}
