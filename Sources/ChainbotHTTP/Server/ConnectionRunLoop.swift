import Dispatch
import Synchronization

/// A task executor driven by one connection's thread: the handler's task (and a streamed body's
/// producer) run on that thread while it waits for them, never on Swift's cooperative pool.
///
/// So a pool kept busy by other work (two threads on a two-core Pi) cannot stall the server's answers,
/// and each connection's work stays on its own thread. Code isolated to an actor still runs one job at
/// a time; plain `Task {}` created by a handler does not inherit the preference and runs on the pool.
final class ConnectionRunLoop: TaskExecutor, Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let wake = DispatchSemaphore(value: 0)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    /// Wakes `run` to check its condition again.
    func signal() { wake.signal() }

    /// Runs enqueued jobs on the calling thread until `condition` holds; false when `timeout` passed first.
    func run(timeout: Duration? = nil, until condition: () -> Bool) -> Bool {
        let end = timeout.map { ContinuousClock.now + $0 }
        while true {
            while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            if condition() { return true }
            if let end {
                let left = end - ContinuousClock.now
                if left <= .zero { return false }
                _ = wake.wait(timeout: .now() + .milliseconds(Int(left.pollMilliseconds)))
            } else {
                wake.wait()
            }
        }
    }

    /// Runs `body` as a task on this run loop and returns its result; `started` gets the task so that
    /// it can be cancelled from another thread.
    func runTask<T: Sendable>(
        started: (Task<Void, Never>) -> Void, _ body: @escaping @Sendable () async -> T
    ) -> T {
        let slot = Slot<T>()
        let task = Task(executorPreference: self) {
            slot.set(await body())
            self.signal()
        }
        started(task)
        while true {
            var value: T?
            _ = run {
                value = slot.value
                return value != nil
            }
            if let value { return value }
        }
    }
}

/// One value handed from a task to the thread that waits for it.
final class Slot<T: Sendable>: Sendable {
    private let storage = Mutex<T?>(nil)

    var value: T? { storage.withLock { $0 } }

    func set(_ newValue: T) { storage.withLock { $0 = newValue } }
}
