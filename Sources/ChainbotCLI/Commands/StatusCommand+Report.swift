import ChainbotCore
import ChainbotEngine
import ChainbotOS
import ChainbotStore
import Glibc

/// What `status` and `get` read: the agent's facts and the resources' stored status.
struct StatusReport {
    var agentPID: String?
    var agentRunning: Bool
    var lastSync: Timestamp?
    var lastSuccessfulSync: Timestamp?
    var generation: String?
    var manifestProblem: String?
    /// Why the git source last failed to move (a refused commit, no remote answering), if it did.
    var gitProblem: String?
    var statuses: [ResourceStatus]
    var suspensions: [Suspension]
    /// The pin the agent applies instead of the manifests, if any.
    var pin: Pin?
    /// The latest revision, when it did not finish: interrupted, or (no outcome yet) running or killed.
    var unfinished: Revision?

    /// Nothing known (the state file could not be read).
    init(empty: Void) {
        agentRunning = false
        statuses = []
        suspensions = []
    }

    init(store: SQLiteStateStore, statePath: String) throws(StoreError) {
        agentRunning = Self.agentHoldsLock(statePath: statePath)
        agentPID = try store.meta(.agentPID)
        lastSync = try store.meta(.agentLastSync).flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:))
        lastSuccessfulSync = try store.meta(.agentLastSuccessfulSync).flatMap(Int64.init).map(
            Timestamp.init(millisecondsSinceEpoch:))
        generation = try store.meta(.agentGeneration)
        manifestProblem = try store.meta(.agentManifestProblem)
        gitProblem = try store.meta(.agentGitProblem)
        statuses = try store.allStatus()
        suspensions = try store.suspensions(at: Timestamp.now())
        pin = try? Pin.current(in: store)
        if let latest = try store.revisions(limit: 1).first, latest.outcome == nil || latest.outcome == .interrupted {
            unfinished = latest
        }
    }

    /// `last run: revision 12 was interrupted …`, or nil when the latest revision finished.
    var unfinishedLine: String? {
        guard let revision = unfinished else { return nil }
        let history = "chainbot history \(revision.id)"
        guard let pid = revision.writerPID else {
            if revision.outcome == .interrupted {
                return "last run: revision \(revision.id) was interrupted (\(history) shows its steps)"
            }
            return "last run: revision \(revision.id) has not finished: it is running, or it was interrupted "
                + "(the next run records which; \(history))"
        }
        if revision.outcome == .interrupted {
            return "last run: revision \(revision.id) was interrupted: pid \(pid) was killed or stopped before it "
                + "finished (\(history) shows its steps)"
        }
        if RevisionWriter.alive(revision) == true {
            return "last run: revision \(revision.id) is running: pid \(pid) has not finished it yet (\(history))"
        }
        return "last run: revision \(revision.id) has not finished: pid \(pid) is gone (killed or crashed); the next "
            + "apply or agent pass marks it interrupted (\(history))"
    }

    /// True while an agent holds `STATE.agent.lock`; the probe only reads, so it neither creates the lock
    /// file nor needs a writable directory.
    static func agentHoldsLock(statePath: String) -> Bool {
        let descriptor = open(statePath + ".agent.lock", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        // The agent's exclusive lock refuses this shared one; taking it means no agent runs.
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    static func ago(_ timestamp: Timestamp?) -> String {
        guard let timestamp else { return "never" }
        let seconds = Timestamp.now().duration(since: timestamp).components.seconds
        if seconds < 120 { return "\(seconds)s ago" }
        if seconds < 7200 { return "\(seconds / 60)m ago" }
        return "\(seconds / 3600)h ago"
    }

    var agentLine: String {
        let pinned =
            (pin.map { "\n\($0.description) (chainbot unpin follows the manifests again)" } ?? "")
            + (unfinishedLine.map { "\n" + $0 } ?? "")
        guard agentRunning else {
            return "agent: not running (last sync \(Self.ago(lastSync)))" + pinned
        }
        return "agent: running\(agentPID.map { " (pid \($0))" } ?? ""), last sync \(Self.ago(lastSync)), "
            + "last successful sync \(Self.ago(lastSuccessfulSync))"
            + (generation.map { ", generation \(String($0.prefix(19)))" } ?? "") + pinned
    }

    func json(_ status: ResourceStatus) -> JSONValue {
        let conditions: [JSONValue] = status.conditions.map { condition in
            let members: [(String, JSONValue)] = [
                ("type", .string(condition.type.rawValue)), ("status", .bool(condition.status)),
                ("reason", .string(condition.reason.rawValue)), ("message", .string(condition.message)),
                ("lastTransitionTime", .string(condition.lastTransitionTime.iso8601)),
            ]
            return .object(members)
        }
        let suspended = suspensions.contains { $0.reference == status.reference }
        let generation: JSONValue = status.observedGeneration.map { .string($0) } ?? .null
        let members: [(String, JSONValue)] =
            JSONDocument.resource(kind: status.kind, name: status.name) + [
                ("sync", .string(status.sync.rawValue)),
                ("health", .string(status.health.rawValue)), ("suspended", .bool(suspended)),
                ("conditions", .array(conditions)), ("observedGeneration", generation),
                ("updatedAt", .string(status.updatedAt.iso8601)),
            ]
        return .object(members)
    }

    var agentJSON: JSONValue {
        .object([
            ("running", .bool(agentRunning)), ("pid", agentPID.flatMap(Int.init).map(JSONValue.int) ?? .null),
            ("lastSync", lastSync.map { .string($0.iso8601) } ?? .null),
            ("lastSuccessfulSync", lastSuccessfulSync.map { .string($0.iso8601) } ?? .null),
            ("generation", generation.map(JSONValue.string) ?? .null),
            ("manifestProblem", manifestProblem.map(JSONValue.string) ?? .null),
            ("gitProblem", gitProblem.map(JSONValue.string) ?? .null),
            ("pin", pin?.json ?? .null),
            (
                "unfinishedRevision",
                unfinished.map { revision in
                    .object(
                        [
                            ("id", .int(Int(revision.id))),
                            ("outcome", revision.outcome.map { .string($0.rawValue) } ?? .null),
                        ] + RevisionWriter.json(revision))
                } ?? .null
            ),
        ])
    }
}
