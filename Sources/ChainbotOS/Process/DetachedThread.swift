import Glibc

/// Runs blocking work on a new detached POSIX thread, away from Swift's cooperative thread pool.
public enum DetachedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a thread that runs `body` once and ends; throws when the system cannot create a thread.
    /// `stackSize` (bytes) replaces the system's default stack size when given. `name` (at most 15 bytes
    /// are kept) is what `top -H`, `ps -L` and `/proc/PID/task/TID/comm` show for it; without one the
    /// thread has its creator's name.
    public static func start(
        name: String? = nil, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void
    ) throws(SystemError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }

        let named: @Sendable () -> Void =
            if let name {
                {
                    setOwnName(name)
                    body()
                }
            } else {
                body
            }
        let context = Unmanaged.passRetained(Work(named)).toOpaque()
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
        name: String? = nil, stackSize: Int? = nil, _ body: @escaping @Sendable () throws(Failure) -> Value,
        noThread: @Sendable (SystemError) -> Failure
    ) async throws(Failure) -> Value {
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
            do throws(SystemError) {
                try start(name: name, stackSize: stackSize) {
                    continuation.resume(returning: Result(catching: body))
                }
            } catch {
                continuation.resume(returning: .failure(noThread(error)))
            }
        }
        return try outcome.get()
    }

    /// Names the calling thread (what `pthread_setname_np`, not in Swift's Glibc module, does on Linux):
    /// writes `/proc/thread-self/comm`. A `/proc` that is not there leaves the name as it was.
    static func setOwnName(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(threadName(name).utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// `name` cut to the 15 bytes Linux keeps for a thread's name, at a character boundary.
    static func threadName(_ name: String) -> String {
        var kept = ""
        for character in name {
            guard kept.utf8.count + character.utf8.count <= 15 else { break }
            kept.append(character)
        }
        return kept
    }
}
