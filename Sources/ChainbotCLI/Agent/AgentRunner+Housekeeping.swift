import ChainbotCore
import ChainbotEngine

/// The runner as the controller's `Housekeeper`: what reloading, pulling git, reporting health and
/// delivering do. When they run is the controller's business.
extension AgentRunner {
    func reloadManifests() async { await reload(initial: false) }

    /// SIGHUP: the configuration file and the command line again (the manifests follow).
    func reloadConfiguration() async -> ControllerConfiguration? {
        guard let fresh = rereadConfiguration() else {
            log("SIGHUP: reloading the manifests")
            return nil
        }
        // The manifest paths stay those being watched; resync, prune, ALEX OS and the rest apply.
        var next = fresh
        next.options.paths = configuration.options.paths
        if fresh.options.paths != configuration.options.paths {
            log("SIGHUP: new manifest paths need a restart (systemctl restart chainbot-agent)")
        }
        if next.eventBus != configuration.eventBus {
            // The bus client runs with the URL it started with; its outbox payloads stay on meanwhile.
            next.eventBus = configuration.eventBus
            log("SIGHUP: a new event-bus-url needs a restart (systemctl restart chainbot-agent)")
        }
        if next.git != configuration.git {
            gitSource?.settings = next.git
            log("SIGHUP: git source settings reloaded")
        }
        configuration = next
        log(
            "SIGHUP: configuration and manifests reloaded (resync every \(DurationText.format(next.controller.resync)))"
        )
        return next.controller
    }

    /// Fetches, verifies and fast-forwards the git source; true when it moved (the manifests are read
    /// after the debounce). A failure is logged, recorded as a `GitSyncFailed` (or `GitVerifyFailed`)
    /// Warning event and kept as the agent's git problem for `chainbot status` until a pull succeeds
    /// (the same failure again is neither logged nor recorded again); a
    /// remote that failed before another served is a `GitRemoteFailed` Warning, once until that changes.
    /// A new event is delivered at once, not with the next pass or health report.
    func pullGit() async -> Bool {
        guard let source = gitSource else { return false }
        switch await source.pull() {
        case .success(let pulled):
            metrics.gitPulled(succeeded: true)
            await noteFallback(pulled, source: source)
            try? store.setMeta(.agentGitProblem, nil)
            guard let commit = pulled.commit else { return false }
            log("git: fast-forwarded \(source.directory) to \(commit.prefix(12)) from \(pulled.servedBy)")
            return true
        case .failure(let error):
            metrics.gitPulled(succeeded: false)
            if let pulled = error.served { await noteFallback(pulled, source: source) }
            // The same problem at every pull (a refused commit stays on the branch, a remote stays down) is
            // one event and one log line, not one per pull: a new one only when what is wrong changes.
            guard (try? store.meta(.agentGitProblem)) ?? nil != error.description else { return false }
            log(error.description)
            try? store.setMeta(.agentGitProblem, error.description)
            recordEvent(
                Event(
                    type: .warning, reason: error.reason, regardingKind: "Manifests",
                    regardingName: source.directory, message: String(error.description.prefix(2000)),
                    generation: generation))
            _ = await deliverEvents()
            return false
        }
    }

    /// A `GitRemoteFailed` event when the remotes that failed before the serving one changed, delivered at once.
    private func noteFallback(_ pulled: GitPull, source: GitSource) async {
        let failing = pulled.failed.map(\.remote) + [pulled.servedBy]
        guard failing != gitSource?.lastFallback else { return }
        gitSource?.lastFallback = failing
        guard let fallback = pulled.fallback else { return }
        log("git: \(fallback)")
        recordEvent(
            Event(
                type: .warning, reason: .gitRemoteFailed, regardingKind: "Manifests", regardingName: source.directory,
                message: String(fallback.prefix(2000)), generation: generation))
        _ = await deliverEvents()
    }

    func deliver() async -> Bool { await deliverEvents() }
}
