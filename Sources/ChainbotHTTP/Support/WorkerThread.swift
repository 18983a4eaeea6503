import ChainbotOS
import Dispatch
import Glibc
import Synchronization

/// Runs blocking socket work on its own detached POSIX thread, away from Swift's cooperative pool
/// (which has one thread per core: two blocked reads would stall every task on a Pi).
enum WorkerThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread that runs `body` once; throws when the system cannot create a thread.
    static func start(_ body: @escaping @Sendable () -> Void) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // 256 KiB is plenty for parsing HTTP and keeps many connections cheap.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        let context = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, context)
        if status != 0 {
            Unmanaged<Work>.fromOpaque(context).release()
            throw SystemError("pthread_create", code: status)
        }
    }

    /// Runs `body` as a task and blocks the calling (non-pool) thread until it returns; `started` gets
    /// the task so that it can be cancelled from elsewhere.
    static func awaitTask<T: Sendable>(
        started: (Task<Void, Never>) -> Void = { _ in }, _ body: @escaping @Sendable () async -> T
    ) -> T {
        let box = ResultBox<T>()
        let task = Task {
            box.set(await body())
        }
        started(task)
        return box.wait()
    }
}

/// One value handed from a task to a waiting thread.
final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<T?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func set(_ newValue: T) {
        value.withLock { $0 = newValue }
        ready.signal()
    }

    func wait() -> T {
        while true {
            ready.wait()
            if let result = value.withLock({ $0 }) { return result }
        }
    }
}
