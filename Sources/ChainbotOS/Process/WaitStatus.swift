import ChainbotCore
import Glibc

/// A `waitpid` status word, decoded the way the C macros `WIFEXITED`/`WTERMSIG` do (they are not
/// visible from Swift).
struct WaitStatus: Hashable {
    /// The raw status word from `waitpid`.
    var raw: Int32

    /// How the child ended: an exit status 0–255, or the number of the signal that killed it.
    var termination: CommandResult.Termination {
        let signal = raw & 0x7f
        return signal == 0 ? .exited((raw >> 8) & 0xff) : .signaled(signal)
    }

    /// Waits for `pid` to end, retrying on EINTR; returns nil when `blocking` is false and it still runs.
    static func wait(for pid: pid_t, blocking: Bool) throws(SystemError) -> WaitStatus? {
        var status: Int32 = 0
        let reaped = try SystemError.retrying("waitpid") { waitpid(pid, &status, blocking ? 0 : WNOHANG) }
        return reaped == pid ? WaitStatus(raw: status) : nil
    }
}
