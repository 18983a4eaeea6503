import Glibc

/// SIGTERM, SIGINT and SIGHUP delivered as values to a callback, through a self-pipe (the handler only
/// writes one byte, which is async-signal-safe), so the agent can drain on TERM and reload on HUP.
public enum SignalEvents {
    nonisolated(unsafe) static var pipeWrite: Int32 = -1

    /// Unblocks SIGTERM, SIGINT and SIGHUP on the calling thread (and so on every thread it starts later).
    /// A mask inherited from whoever started chainbot (a thread of libdispatch's pool blocks every signal,
    /// and posix_spawn passes the mask on) would otherwise keep them pending for ever, since no thread of
    /// chainbot waits in `sigsuspend` (as `dispatch_main` did): `kill PID` would not end a command, nor
    /// stop the agent. `main` calls it first.
    public static func unblockServed() {
        var served = sigset_t()
        sigemptyset(&served)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&served, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &served, nil)
    }

    /// Installs the handlers and starts the thread that calls `onSignal` with the signal number.
    public static func start(_ onSignal: @escaping @Sendable (Int32) -> Void) throws(SystemError) {
        let ends = try ChildPipe.make()
        pipeWrite = ends.writeEnd
        let readEnd = ends.readEnd
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(SignalEvents.pipeWrite, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
        try DetachedThread.start(name: "cb-signals") {
            // This thread takes them whatever the others block.
            unblockServed()
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    onSignal(Int32(byte))
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
