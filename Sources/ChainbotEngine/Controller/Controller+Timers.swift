/// When each of the housekeeper's duties is due next; nil for one not scheduled.
struct ControllerTimers<Instant: InstantProtocol & Sendable>: Sendable where Instant.Duration == Duration {
    /// The manifests are read at this instant unless another file event pushes it later.
    var debounce: Instant?
    var gitPull: Instant?
    var healthReport: Instant?
    /// Set while outbox entries wait.
    var delivery: Instant?

    /// The soonest of them.
    var nextDeadline: Instant? { [debounce, gitPull, healthReport, delivery].compactMap { $0 }.min() }
}

/// The agent's timers on the controller's clock: the debounce of file events, the git pull, the health
/// report and the outbox delivery, one duty at a time between passes.
extension Controller {
    /// The health report at once (after the first pass), the first pull one interval from now.
    func startTimers() {
        guard housekeeper != nil else { return }
        timers.healthReport = clock.now
        timers.gitPull = configuration.jitteredGitPull().map { clock.now.advanced(by: $0) }
    }

    /// Acts on what the file watcher and the signal handler reported: file events (re)start the debounce,
    /// SIGHUP reads the configuration and the manifests now.
    func takeTriggers() async {
        guard let housekeeper else { return }
        let taken = triggers.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for trigger in taken {
            switch trigger {
            case .filesChanged:
                timers.debounce = clock.now.advanced(by: configuration.debounce)
            case .reloadConfiguration:
                if let next = await housekeeper.reloadConfiguration() { configure(next) }
                await housekeeper.reloadManifests()
            }
        }
    }

    /// Runs the first duty that is due; false when none was.
    func runDueDuty() async -> Bool {
        guard let housekeeper else { return false }
        let now = clock.now
        if let due = timers.debounce, now >= due {
            timers.debounce = nil
            await housekeeper.reloadManifests()
            return true
        }
        if let due = timers.gitPull, now >= due {
            timers.gitPull = configuration.jitteredGitPull().map { now.advanced(by: $0) }
            if await housekeeper.pullGit() { timers.debounce = clock.now.advanced(by: configuration.debounce) }
            return true
        }
        if let due = timers.healthReport, now >= due {
            timers.healthReport = now.advanced(by: configuration.healthReport)
            await housekeeper.reportHealth()
            await deliver()
            return true
        }
        if let due = timers.delivery, now >= due {
            await deliver()
            return true
        }
        return false
    }

    /// A pass that changed or failed something reports health at once; every pass delivers its events.
    func afterPass(_ result: SyncResult) async {
        guard let housekeeper else { return }
        if result.changed || result.failed { await housekeeper.reportHealth() }
        await deliver()
    }

    /// Delivers the outbox; while entries wait, tries again after `delivery`.
    func deliver() async {
        guard let housekeeper else { return }
        timers.delivery = await housekeeper.deliver() ? clock.now.advanced(by: configuration.delivery) : nil
    }
}
