import Glibc

/// Runs blocking work on a new detached POSIX thread, away from Swift's cooperative thread pool.
public enum DetachedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread that runs `body` once and ends; throws when the system cannot create a thread.
    /// `stackSize` (bytes) replaces the system's default stack size when given.
    public static func start(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }

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

    /// Runs `body` on a new thread and returns what it returns or throws; the calling task waits without
    /// holding a thread of the pool. When no thread can be started, `noThread` says what to throw.
    public static func run<Value: Sendable, Failure: Error>(
        stackSize: Int? = nil, _ body: @escaping @Sendable () throws(Failure) -> Value,
        noThread: @Sendable (SystemError) -> Failure
    ) async throws(Failure) -> Value {
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
            do throws(SystemError) {
                try start(stackSize: stackSize) { continuation.resume(returning: Result(catching: body)) }
            } catch {
                continuation.resume(returning: .failure(noThread(error)))
            }
        }
        return try outcome.get()
    }
}
