/// A process started to outlive its starter (the firewall's revert watchdog).
public protocol BackgroundProcess: Sendable {
    var pid: Int32 { get }
    /// True once the process has exited (and was reaped).
    func hasExited() -> Bool
    /// Kills the process and reaps it.
    func terminate()
    /// Asks the process to exit (SIGTERM) and reaps it, waiting at most a second.
    func stop()
    /// Reaps the process once it exits, waiting at most `timeout`; true when it is gone.
    @discardableResult func reap(within timeout: Duration) -> Bool
}

/// Starts background processes: argv only, detached from the starter's session, output to a log file.
public protocol BackgroundLauncher: Sendable {
    func launch(_ executable: String, _ arguments: [String], logPath: String) throws(CommandError)
        -> any BackgroundProcess
}
