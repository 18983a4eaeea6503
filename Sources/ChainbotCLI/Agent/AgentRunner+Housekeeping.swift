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
        configuration = next
        log(
            "SIGHUP: configuration and manifests reloaded (resync every \(DurationText.format(next.controller.resync)))"
        )
        return next.controller
    }

    /// Fetches and fast-forwards the git source; true when it moved (the manifests are read after the
    /// debounce). A failure is logged and recorded as a `GitSyncFailed` event.
    func pullGit() async -> Bool {
        guard let source = gitSource else { return false }
        switch await source.pull() {
        case .success(let commit?):
            log("git: fast-forwarded \(source.directory) to \(commit.prefix(12))")
            return true
        case .success(nil):
            return false
        case .failure(let error):
            log(error.description)
            recordEvent(
                Event(
                    type: .warning, reason: .gitSyncFailed, regardingKind: "Manifests",
                    regardingName: source.directory, message: error.description, generation: generation))
            return false
        }
    }

    func deliver() async -> Bool { await deliverEvents() }
}
