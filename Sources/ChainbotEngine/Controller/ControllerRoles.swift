public import ChainbotCore

/// The desired set the controller keeps the host on, as last read (the manifests, or a pinned revision).
public struct DesiredState: Sendable, Hashable {
    /// The desired resources.
    public var resources: [Resource]
    /// Resources chainbot applied before that are no longer desired: synced so they are pruned or forgotten.
    public var formerlyApplied: [ResourceID]
    /// The manifest set's generation (a git commit, or a content hash).
    public var generation: String
    /// Why the manifests could not be read, while the last good ones stay in force; nil when they could.
    public var problem: String?

    public init(
        resources: [Resource], formerlyApplied: [ResourceID] = [], generation: String, problem: String? = nil
    ) {
        self.resources = resources
        self.formerlyApplied = formerlyApplied
        self.generation = generation
        self.problem = problem
    }

    /// Every key to sync: the desired ones and the ones applied before, sorted.
    public var keys: [ResourceID] { Set(resources.map(\.id) + formerlyApplied).sorted() }

    /// What a terminal outcome of `id` depends on: the generation and the resource's spec.
    func fingerprint(of id: ResourceID) -> DesiredFingerprint {
        DesiredFingerprint(generation: generation, resource: resources.first { $0.id == id })
    }
}

/// The desired side of a key when it failed terminally: while it stays the same, retrying cannot help.
struct DesiredFingerprint: Sendable, Hashable {
    var generation: String
    var resource: Resource?
}

/// Where the desired set comes from (the manifests on disk, a pin in the store).
public protocol ManifestSource: Sendable {
    /// The desired set in force now.
    func desired() async -> DesiredState
}

/// What one pass over a batch came to.
public struct SyncResult: Sendable, Hashable {
    /// Each key's outcome; a key without one counts as converged.
    public var outcomes: [ResourceID: Outcome]
    /// True when the pass changed or pruned something on the host.
    public var changed: Bool

    public init(outcomes: [ResourceID: Outcome] = [:], changed: Bool = false) {
        self.outcomes = outcomes
        self.changed = changed
    }

    /// True when a key failed.
    public var failed: Bool { outcomes.values.contains(where: \.failed) }
}

/// Runs one batch of keys through observe → plan → apply → record (sample-controller's `syncHandler`).
public protocol SyncHandler: Sendable {
    /// Syncs `batch` together.
    func sync(_ batch: Set<ResourceID>) async -> SyncResult

    /// The one-line summary for the service manager's `STATUS=`.
    func statusLine() async -> String
}

/// Tells the service manager how the controller is (`sd_notify`).
public protocol Notifier: Sendable {
    /// How often the watchdog wants a `WATCHDOG=1`, or nil when no watchdog is armed.
    var watchdogInterval: Duration? { get }

    /// Sends lines of `KEY=value` (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1`).
    func notify(_ state: String)
}
