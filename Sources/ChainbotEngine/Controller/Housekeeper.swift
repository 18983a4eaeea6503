/// The agent's work between passes, each run when the controller's clock says it is due: reading the
/// manifests once file events have settled, the configuration on SIGHUP, pulling the git source, the
/// health report and the outbox delivery. What these do lives outside the engine; when they run lives
/// in the controller.
public protocol Housekeeper: Sendable {
    /// Reads the manifests again (file events settled, a pull brought a commit, SIGHUP); queues what changed.
    func reloadManifests() async

    /// SIGHUP: reads the configuration again; the controller's new timings, or nil to keep those in force.
    func reloadConfiguration() async -> ControllerConfiguration?

    /// Pulls the git source; true when it brought a new commit (the manifests are read after the debounce).
    func pullGit() async -> Bool

    /// Records the health summary (to be delivered with the outbox).
    func reportHealth() async

    /// Delivers what waits in the outbox; true while something still waits (tried again after `delivery`).
    func deliver() async -> Bool
}

/// What the controller is told between passes (by the file watcher, the signal handler).
public enum ControllerTrigger: Sendable, Hashable {
    /// A manifest file changed: read them again once events have been quiet for the debounce.
    case filesChanged
    /// SIGHUP: read the configuration and the manifests again.
    case reloadConfiguration
}
