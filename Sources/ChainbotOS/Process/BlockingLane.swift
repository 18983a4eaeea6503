import Dispatch
import Synchronization

/// One long-lived thread for short blocking calls (a D-Bus exchange with systemd), run in the order they
/// come: away from Swift's cooperative pool, and without a thread created and ended for each call, so an
/// idle agent keeps the same few threads (and a thread's start costs about what a call does).
///
/// The thread starts with the first call and lives as long as the process. A call that blocks delays the
/// ones behind it, so only calls bounded by a timeout belong here.
public final class BlockingLane: Sendable {
    /// The process's lane.
    public static let shared = BlockingLane()

    private let jobs = Mutex<(queue: [@Sendable () -> Void], started: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)

    public init() {}

    /// Runs `body` on the lane's thread and returns its result; the calling task waits without holding a
    /// thread of the pool. When no thread can be started, `body` runs on the caller's thread instead.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        let start = jobs.withLock { state in
            state.queue.append(job)
            defer { state.started = true }
            return !state.started
        }
        if start {
            do throws(SystemError) {
                try DetachedThread.start(name: "cb-lane", stackSize: 512 * 1024) { [self] in loop() }
            } catch {
                // Without a thread of its own the lane runs what is queued here, and tries again next time.
                let queued = jobs.withLock { state in
                    state.started = false
                    defer { state.queue = [] }
                    return state.queue
                }
                for job in queued { job() }
                return
            }
        }
        wake.signal()
    }

    private func loop() {
        while true {
            wake.wait()
            while let job = jobs.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) { job() }
        }
    }
}
