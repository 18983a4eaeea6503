import ChainbotCore
import ChainbotOS
import Glibc

/// The process that began a revision (`revisions.writer_pid`) as `history` and `status` show it: for a
/// revision still without an outcome, whether that process still runs it.
///
/// A revision without an outcome whose writer is alive is a run in progress; one whose writer is gone
/// was killed or crashed, and the next apply or agent pass marks it `interrupted`.
enum RevisionWriter {
    /// Whether the writer of a revision without an outcome still runs; nil for a finished revision or
    /// one without a recorded pid.
    static func alive(_ revision: Revision) -> Bool? {
        guard revision.outcome == nil, let pid = revision.writerPID else { return nil }
        return isRunning(pid, since: revision.startedAt)
    }

    /// One line about the writer of a running or interrupted revision; nil for one that finished (or an
    /// interrupted one without a recorded pid).
    static func note(_ revision: Revision) -> String? {
        switch revision.outcome {
        case .interrupted?:
            guard let pid = revision.writerPID else { return nil }
            return "pid \(pid) was killed or stopped before it finished"
        case nil:
            guard let pid = revision.writerPID, let alive = alive(revision) else {
                return "running, or interrupted: the next run records which"
            }
            return alive
                ? "in progress: pid \(pid) is still running"
                : "pid \(pid) is gone (killed or crashed): the next apply or agent pass marks it interrupted"
        default:
            return nil
        }
    }

    /// `writerPid` and, for a revision without an outcome, `writerAlive`.
    static func json(_ revision: Revision) -> [(String, JSONValue)] {
        [
            ("writerPid", revision.writerPID.map { .int(Int($0)) } ?? .null),
            ("writerAlive", alive(revision).map(JSONValue.bool) ?? .null),
        ]
    }

    /// True when process `pid` exists and started no later than `startedAt` (a process that started
    /// after the revision began reuses the pid and is not its writer).
    static func isRunning(_ pid: Int32, since startedAt: Timestamp) -> Bool {
        guard pid > 0 else { return false }
        // EPERM: the process exists but belongs to another user.
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let started = startTime(of: pid) else { return true }
        // /proc/stat's boot time has whole seconds: allow for its rounding.
        return started.millisecondsSinceEpoch <= startedAt.millisecondsSinceEpoch + 2000
    }

    /// When process `pid` started, from field 22 of `/proc/PID/stat` (clock ticks after boot) and
    /// `btime` of `/proc/stat` (seconds since the epoch); nil when either cannot be read.
    static func startTime(of pid: Int32) -> Timestamp? {
        let proc = LocalFileSystem(root: "/")
        guard let stat = try? proc.read("/proc/\(pid)/stat"), let system = try? proc.read("/proc/stat") else {
            return nil
        }
        let text = String(decoding: stat, as: UTF8.self)
        // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
        guard fields.count > 19, let ticks = Int64(fields[19]), ticksPerSecond > 0 else { return nil }
        let bootLine = String(decoding: system, as: UTF8.self).split(separator: "\n").first {
            $0.hasPrefix("btime ")
        }
        guard let boot = bootLine.flatMap({ Int64($0.dropFirst(6)) }) else { return nil }
        return Timestamp(millisecondsSinceEpoch: boot * 1000 + ticks * 1000 / Int64(ticksPerSecond))
    }
}
