public import ChainbotCore

/// One pass of the agent over a batch of keys, as engine code over `any StateStore` and the Reconciler:
/// the holds read from the store's suspensions, prepare and apply, the statuses and events recorded, each
/// key's `Outcome` decided, and the times of the last sync (and the last successful one) kept as meta.
public struct ReconcilePass: Sendable {
    /// The desired side of a pass: the manifests' (or a pinned revision's) resources and generation.
    public struct Desired: Sendable {
        public var resources: [Resource]
        public var generation: String
        /// The manifests' git commit; nil for a content hash or a pinned revision.
        public var gitCommit: String?

        public init(resources: [Resource], generation: String, gitCommit: String?) {
            self.resources = resources
            self.generation = generation
            self.gitCommit = gitCommit
        }
    }

    /// What the pass came to.
    public struct Report: Sendable {
        public var outcomes: [ResourceID: Outcome] = [:]
        /// Resources changed or pruned.
        public var changed = 0
        /// The Reconciler's report; nil when the pass failed before applying.
        public var applied: ApplyReport?
        /// Why the pass failed as a whole (the store, a provider's observe), nil when it ran.
        public var error: String?

        /// The controller's view of the pass.
        public var result: SyncResult { SyncResult(outcomes: outcomes, changed: changed > 0) }
    }

    public static let lastSyncKey = MetaKey.agentLastSync
    public static let lastSuccessfulSyncKey = MetaKey.agentLastSuccessfulSync

    let store: any StateStore
    let reconciler: Reconciler
    let now: @Sendable () -> Timestamp
    /// Prune what left the manifests (`--prune`).
    let prune: Bool
    /// The resync interval: targets probed more often than it come back at their own interval.
    let resync: Duration
    let outboxPayload: (@Sendable (StoredEvent, String) -> String)?

    public init(
        store: any StateStore, reconciler: Reconciler, now: @escaping @Sendable () -> Timestamp, prune: Bool,
        resync: Duration, outboxPayload: (@Sendable (StoredEvent, String) -> String)?
    ) {
        self.store = store
        self.reconciler = reconciler
        self.now = now
        self.prune = prune
        self.resync = resync
        self.outboxPayload = outboxPayload
    }

    /// Syncs `batch` against `desired` (the whole set, so cross-resource steps see every resource).
    public func run(_ batch: Set<ResourceID>, desired: Desired) async -> Report {
        // Suspended resources are held: observed and reported, changed by no step of any resource.
        let held = Suspension.holds((try? store.suspensions(at: now())) ?? [])
        let previous = (try? store.allStatus()) ?? []
        var statuses = StatusBuilder.Result()
        var report = Report()
        do {
            let selected = desired.resources.filter { batch.contains($0.id) }
            let prepared = try await reconciler.prepare(
                selected, prune: prune, force: !desired.resources.isEmpty, whole: desired.resources, ids: batch,
                held: held)
            let applied = try await reconciler.apply(
                prepared, generation: desired.generation, gitCommit: desired.gitCommit)
            statuses = StatusBuilder(generation: desired.generation, now: now(), previous: previous).build(
                prepared, report: applied)
            report.outcomes = applied.outcomes(for: batch, resync: resync)
            report.changed = applied.changed.count + applied.pruned.count
            report.applied = applied
        } catch {
            report.error = "sync failed: \(error)"
            for id in batch { report.outcomes[id] = .retryable("sync failed: \(error)") }
        }
        statuses.save(to: store, outboxPayload: outboxPayload)
        // The one write of a pass that changed nothing (issue 15): both stamps in one transaction.
        let stamp = String(now().millisecondsSinceEpoch)
        var stamps: [(key: MetaKey, value: String?)] = [(Self.lastSyncKey, stamp)]
        if !report.outcomes.values.contains(where: \.failed) { stamps.append((Self.lastSuccessfulSyncKey, stamp)) }
        try? store.setMeta(stamps)
        return report
    }
}
