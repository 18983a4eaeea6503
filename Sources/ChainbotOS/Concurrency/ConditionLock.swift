import Glibc

/// A POSIX mutex with condition variables that time out on `CLOCK_MONOTONIC`: what a thread that waits
/// for work or for a deadline needs, and what `Mutex` (no waiting) does not offer. The mutex and the
/// conditions live at fixed addresses for the lock's lifetime, as pthreads requires.
final class ConditionLock: @unchecked Sendable {
    /// A condition threads wait on under the lock.
    struct Condition {
        fileprivate let pointer: UnsafeMutablePointer<pthread_cond_t>
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var conditions: [UnsafeMutablePointer<pthread_cond_t>] = []

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        for condition in conditions {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// A new condition; made before any thread uses the lock.
    func makeCondition() -> Condition {
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        defer { pthread_condattr_destroy(&attributes) }
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        pthread_cond_init(condition, &attributes)
        conditions.append(condition)
        return Condition(pointer: condition)
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits (the lock held) until `condition` is signalled; a wake-up may also come without a signal.
    func wait(_ condition: Condition) {
        pthread_cond_wait(condition.pointer, mutex)
    }

    /// Waits (the lock held) until `condition` is signalled or the monotonic clock reaches `deadline`
    /// (nanoseconds); false when the deadline passed.
    func wait(_ condition: Condition, until deadline: UInt64) -> Bool {
        var time = timespec(
            tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition.pointer, mutex, &time) != ETIMEDOUT
    }

    func signal(_ condition: Condition) { pthread_cond_signal(condition.pointer) }

    /// Now on `CLOCK_MONOTONIC`, in nanoseconds: the clock the waits time out on.
    static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
