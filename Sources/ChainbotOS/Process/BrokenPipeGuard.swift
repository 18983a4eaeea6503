import Glibc

/// Keeps SIGPIPE from killing chainbot while the calling thread writes to a child that stopped reading.
///
/// Blocks SIGPIPE on this thread only (no process-wide `signal(SIGPIPE, SIG_IGN)`), so a failed write
/// returns EPIPE; `end()` discards a SIGPIPE that the guarded writes left pending and restores the mask.
struct BrokenPipeGuard {
    private var previousMask = sigset_t()
    private var wasPending = false

    /// Blocks SIGPIPE on the calling thread.
    init() {
        var pipeOnly = BrokenPipeGuard.pipeSignalSet()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previousMask)
        wasPending = BrokenPipeGuard.isPending()
    }

    /// Consumes a SIGPIPE raised since `init` and restores the thread's previous signal mask.
    func end() {
        if !wasPending && BrokenPipeGuard.isPending() {
            var pipeOnly = BrokenPipeGuard.pipeSignalSet()
            var noWait = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeOnly, nil, &noWait)
        }
        var previous = previousMask
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    private static func pipeSignalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        return set
    }

    private static func isPending() -> Bool {
        var pending = sigset_t()
        sigpending(&pending)
        return sigismember(&pending, SIGPIPE) == 1
    }
}
