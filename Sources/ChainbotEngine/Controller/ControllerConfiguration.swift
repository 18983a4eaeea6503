/// The controller's timings: the resync, the per-key backoff, the pass limit, and the agent's timers
/// (the debounce of file events, the health report, the outbox delivery, the git pull).
public struct ControllerConfiguration: Sendable {
    /// How often every key is queued, whatever happened.
    public var resync: Duration
    public var backoff: Backoff
    /// How long one pass may run before the watchdog pings stop (and systemd restarts the agent).
    public var passLimit: Duration
    /// How long file events must be quiet before the manifests are read again (a burst is one reload).
    public var debounce: Duration = .milliseconds(300)
    /// How often the health summary is sent (also once after a pass that changed or failed something).
    public var healthReport: Duration = .seconds(60)
    /// How often the outbox is tried again while entries wait (each entry keeps its own backoff).
    public var delivery: Duration = .seconds(5)
    /// How often the git source is pulled (`--git-pull`), or nil for no pulls.
    public var gitPull: Duration?
    /// The fraction of `gitPull` added or taken at random, so many Pis do not knock at once.
    public var gitPullJitter: Double = 0.1

    public init(resync: Duration = .seconds(60), backoff: Backoff = Backoff(), passLimit: Duration = .seconds(600)) {
        self.resync = resync
        self.backoff = backoff
        self.passLimit = passLimit
    }

    /// `gitPull` ± `gitPullJitter`, given a random number in -1...1.
    func jitteredGitPull(random: Double = Double.random(in: -1...1)) -> Duration? {
        gitPull.map { $0 * (1 + gitPullJitter * random) }
    }
}
