import ChainbotCore
import Glibc
@_spi(ExperimentalCustomExecutors) @_spi(ExperimentalScheduling) import _Concurrency

/// Swift concurrency's default executor for the `chainbot` binary, in place of libdispatch's pool: a
/// few worker threads that wait on a condition when there is nothing to do, and one timer thread that
/// sleeps until the earliest `Task.sleep` deadline. An idle agent's process thus wakes only for its own
/// timers and events; libdispatch's pool keeps a monitor thread that wakes every second for as long as
/// the process lives (64 of an idle agent's ~90 wake-ups a minute, BENCHMARKS.md).
///
/// Workers start as jobs need them, up to `baseWorkers` (the online processors, at least 2), and stay.
/// Work on a worker that blocks (a socket read, a file write) would starve the queue, so while jobs wait
/// and no worker is free, the timer thread looks every `stallCheck`: when no worker took a job since
/// its last look it starts another one (up to `maxWorkers`), which ends after `surplusIdle` without work.
final class WorkerPool: TaskExecutor, SchedulingExecutor, @unchecked Sendable {
    /// How many threads, and how soon a stalled queue gets another.
    struct Settings: Sendable {
        var baseWorkers: Int
        var maxWorkers: Int
        var stallCheck: Duration
        var surplusIdle: Duration
        /// The threads' names (what `top -H` shows).
        var workerName = "cb-worker"
        var timerName = "cb-timer"

        init(
            baseWorkers: Int = max(2, ParallelWork.processors), maxWorkers: Int = 64,
            stallCheck: Duration = .milliseconds(100), surplusIdle: Duration = .seconds(20)
        ) {
            self.baseWorkers = max(1, baseWorkers)
            self.maxWorkers = max(self.baseWorkers, maxWorkers)
            self.stallCheck = stallCheck
            self.surplusIdle = surplusIdle
        }
    }

    /// What the pool is doing, for its tests.
    struct Counts: Sendable, Equatable {
        var workers: Int
        var idleWorkers: Int
        var readyJobs: Int
        var timedJobs: Int
        /// Workers started beyond `baseWorkers` because the queue stalled, over the pool's life.
        var surplusStarted: Int
        /// Jobs queued for a deadline (a `Task.sleep`), over the pool's life.
        var timedQueued: Int
        /// The timer thread waits for nothing but a signal (no deadline, no stall watch).
        var timerAsleep: Bool
    }

    /// The pool `installAsDefault()` makes Swift's default executor.
    static let shared = WorkerPool()

    let settings: Settings
    private let lock = ConditionLock()
    private let work: ConditionLock.Condition
    private let clock: ConditionLock.Condition
    // Everything below is guarded by `lock`.
    private var ready = ReadyJobs()
    private var timed = TimedJobs()
    private var workers = 0
    private var idle = 0
    /// Idle workers already signalled for a job, not yet awake.
    private var signalled = 0
    /// Jobs taken by workers, to tell a stalled queue from a busy one.
    private var taken: UInt64 = 0
    private var surplusStarted = 0
    private var timedQueued = 0
    private var timerStarted = false
    /// The deadline the timer thread waits for (nil: none, it waits for a signal).
    private var timerWake: UInt64?
    /// `taken` at the timer thread's last look at a queue with no free worker (nil: not watching).
    private var watchedTaken: UInt64?

    init(settings: Settings = Settings()) {
        self.settings = settings
        work = lock.makeCondition()
        clock = lock.makeCondition()
    }

    /// Makes the shared pool Swift's default executor (`Task`, `Task.detached`, task groups, nonisolated
    /// async functions and every `Task.sleep` run on it). Call it first thing in `main`, before any task
    /// is created and with no `MainActor` code: the main executor it installs runs nothing.
    static func installAsDefault() {
        _createExecutors(factory: Factory.self)
    }

    private enum Factory: ExecutorFactory {
        static var mainExecutor: any MainExecutor { UnimplementedMainExecutor() }
        static var defaultExecutor: any TaskExecutor { WorkerPool.shared }
    }

    var counts: Counts {
        lock.lock()
        defer { lock.unlock() }
        return Counts(
            workers: workers, idleWorkers: idle, readyJobs: ready.count, timedJobs: timed.count,
            surplusStarted: surplusStarted, timedQueued: timedQueued, timerAsleep: timerStarted && timerWake == nil)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        enqueueNow(UnownedJob(job))
    }

    func enqueue<C: Clock>(
        _ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C
    ) {
        let job = UnownedJob(job)
        // ContinuousClock and SuspendingClock (the clocks whose sleeps come here) measure in Duration; the
        // wait is counted on the monotonic clock from now, which on a host that never suspends is the same.
        guard let remaining = clock.now.duration(to: instant) as? Duration else {
            return enqueueNow(job)
        }
        let deadline = ConditionLock.monotonicNow() &+ Self.nanoseconds(remaining)
        lock.lock()
        timed.insert(job, deadline: deadline)
        timedQueued += 1
        startTimerIfNeeded()
        if timerWake.map({ deadline < $0 }) ?? true { self.lock.signal(self.clock) }
        lock.unlock()
    }

    func enqueue<C: Clock>(
        _ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C
    ) {
        let job = UnownedJob(job)
        enqueue(ExecutorJob(job), at: clock.now.advanced(by: delay), tolerance: tolerance, clock: clock)
    }

    private func enqueueNow(_ job: UnownedJob) {
        lock.lock()
        makeReady(job)
        lock.unlock()
    }

    /// Queues `job` and wakes or starts a worker for it, or has the timer thread watch for a stall.
    /// Called with the lock held.
    private func makeReady(_ job: UnownedJob) {
        ready.append(job)
        if idle > signalled {
            signalled += 1
            lock.signal(work)
        } else if workers < settings.baseWorkers {
            startWorker()
        } else if watchedTaken == nil {
            startTimerIfNeeded()
            lock.signal(clock)
        }
    }

    /// Called with the lock held.
    private func startWorker() {
        workers += 1
        do throws(SystemError) {
            try DetachedThread.start(name: settings.workerName) { [self] in workerLoop() }
        } catch {
            // The timer thread's stall check tries again while jobs wait.
            workers -= 1
            startTimerIfNeeded()
        }
    }

    /// Called with the lock held.
    private func startTimerIfNeeded() {
        guard !timerStarted else { return }
        do throws(SystemError) {
            try DetachedThread.start(name: settings.timerName, stackSize: 256 * 1024) { [self] in timerLoop() }
            timerStarted = true
        } catch {
            // Tried again with the next timed job or stalled queue.
        }
    }

    private func workerLoop() {
        let surplusIdle = Self.nanoseconds(settings.surplusIdle)
        lock.lock()
        while true {
            if let job = ready.popFirst() {
                taken &+= 1
                lock.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
                lock.lock()
                continue
            }
            idle += 1
            var expired = false
            if workers > settings.baseWorkers {
                expired = !lock.wait(work, until: ConditionLock.monotonicNow() &+ surplusIdle)
            } else {
                lock.wait(work)
            }
            idle -= 1
            if signalled > 0 { signalled -= 1 }
            if expired, ready.isEmpty, workers > settings.baseWorkers {
                workers -= 1
                lock.unlock()
                return
            }
        }
    }

    private func timerLoop() {
        let stallCheck = Self.nanoseconds(settings.stallCheck)
        lock.lock()
        while true {
            let now = ConditionLock.monotonicNow()
            while let job = timed.popDue(now: now) { makeReady(job) }
            var wake = timed.nextDeadline
            if !ready.isEmpty, idle <= signalled {
                if let watched = watchedTaken, watched == taken, workers < settings.maxWorkers {
                    surplusStarted += workers >= settings.baseWorkers ? 1 : 0
                    startWorker()
                }
                watchedTaken = taken
                wake = min(wake ?? .max, now &+ stallCheck)
            } else {
                watchedTaken = nil
            }
            timerWake = wake
            if let wake {
                _ = lock.wait(clock, until: wake)
            } else {
                lock.wait(clock)
            }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max / 2 : whole + UInt64(attoseconds / 1_000_000_000)
    }
}

/// Swift concurrency's default executor in the `chainbot` binary (see `WorkerPool`).
public enum DefaultExecutor {
    /// Makes chainbot's worker pool the default executor: call it first thing in `main`, before any
    /// task is created, in a program that runs no `MainActor` code.
    public static func install() { WorkerPool.installAsDefault() }
}
