import Glibc
import Synchronization

/// Runs independent synchronous work on several threads of its own and waits for all of it: for CPU
/// work done before any task runs (parsing manifest files), without starting libdispatch's thread pool
/// (`DispatchQueue.concurrentPerform`), whose monitor thread would then wake the process every second.
public enum ParallelWork {
    /// The processors online, at least 1.
    public static var processors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private final class Shared: @unchecked Sendable {
        let next = Atomic<Int>(0)
        let count: Int
        let body: (Int) -> Void

        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        func drain() {
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                body(index)
            }
        }
    }

    /// Calls `body` once for each index in `0..<count` on up to `width` threads (the calling thread is
    /// one of them) and returns when every call has returned. Without another thread, all run here.
    public static func forEach(count: Int, width: Int = processors, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        withoutActuallyEscaping(body) { body in
            let shared = Shared(count: count, body: body)
            var threads: [pthread_t] = []
            for _ in 1..<max(1, min(width, count)) {
                var thread = pthread_t()
                let context = Unmanaged.passRetained(shared).toOpaque()
                let status = pthread_create(
                    &thread, nil,
                    { context in
                        guard let context else { return nil }
                        Unmanaged<Shared>.fromOpaque(context).takeRetainedValue().drain()
                        return nil
                    }, context)
                guard status == 0 else {
                    Unmanaged<Shared>.fromOpaque(context).release()
                    break
                }
                threads.append(thread)
            }
            shared.drain()
            for thread in threads { pthread_join(thread, nil) }
        }
    }
}
