public import ChainbotCore
import Glibc

/// A process started to outlive chainbot: a session of its own (so a terminal's Ctrl-C or a kill of
/// chainbot's process group does not reach it), standard input from /dev/null, and standard output and
/// error appended to a log file.
public struct DetachedProcess: BackgroundProcess {
    public let pid: Int32

    /// glibc's `POSIX_SPAWN_SETSID` (since 2.26), a macro Swift does not import.
    private static let spawnSetSID: Int32 = 0x80

    /// Starts `executable` with `arguments` (argv, no shell); output goes to `logPath`.
    public static func launch(
        _ executable: String, _ arguments: [String], logPath: String
    ) throws(CommandError) -> DetachedProcess {
        let command = CommandInvocation(executable, arguments).description
        let argv: CStringArray
        do { argv = try CStringArray([executable] + arguments) } catch {
            throw .launchFailed(command: command, reason: "\(error)")
        }
        var fileActions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&fileActions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&fileActions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        // Not O_CLOEXEC: this descriptor is the child's standard output across the exec.
        posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        if let addCloseFrom = GNULibc.addCloseFrom { _ = addCloseFrom(&fileActions, 3) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | Self.spawnSetSID))
        var pid: pid_t = 0
        let status = argv.withUnsafePointer { argvPointer in
            posix_spawn(&pid, executable, &fileActions, &attributes, argvPointer, environ)
        }
        guard status == 0 else {
            throw .launchFailed(command: command, reason: CommandError.Reason(spawnStatus: status))
        }
        return DetachedProcess(pid: pid)
    }

    public func hasExited() -> Bool { reap(within: .zero) }

    public func stop() {
        kill(pid, SIGTERM)
        if !reap(within: .seconds(1)) { terminate() }
    }

    /// Kills the process and what it started: it leads a session and a process group of its own, so a
    /// child it spawned (an `nft monitor`, a `git fetch`) goes with it.
    public func terminate() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        reap(within: .seconds(2))
    }

    /// Reaps the process if it has exited, waiting at most `timeout`; true when it is gone.
    @discardableResult
    public func reap(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
    }
}

/// Launches `DetachedProcess`es.
public struct DetachedLauncher: BackgroundLauncher {
    public init() {}

    public func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
        -> any BackgroundProcess
    {
        try DetachedProcess.launch(executable, arguments, logPath: logPath)
    }
}
