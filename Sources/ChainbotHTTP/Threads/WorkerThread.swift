import ChainbotOS

/// Runs blocking socket work on its own detached POSIX thread, away from Swift's cooperative pool
/// (which has one thread per core: two blocked reads would stall every task on a Pi).
enum WorkerThread {
    /// Starts a thread that runs `body` once; throws when the system cannot create a thread. 256 KiB of
    /// stack is plenty for parsing HTTP and keeps many connections cheap.
    static func start(_ body: @escaping @Sendable () -> Void) throws(SystemError) {
        try DetachedThread.start(name: "cb-http", stackSize: 256 * 1024, body)
    }
}
