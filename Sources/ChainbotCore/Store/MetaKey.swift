/// The name of one fact the state store keeps about its agent (`StateStore.setMeta`), so writers and
/// readers in different modules spell it once.
public struct MetaKey: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    /// The running agent's process id; removed when it stops.
    public static let agentPID: MetaKey = "agent.pid"
    /// When the running agent started, in milliseconds since the epoch.
    public static let agentStartedAt: MetaKey = "agent.startedAt"
    /// When the agent last finished a sync, in milliseconds since the epoch.
    public static let agentLastSync: MetaKey = "agent.lastSync"
    /// When the agent last finished a sync with no failed resource, in milliseconds since the epoch.
    public static let agentLastSuccessfulSync: MetaKey = "agent.lastSuccessfulSync"
    /// The manifest set's generation the agent last loaded.
    public static let agentGeneration: MetaKey = "agent.generation"
    /// Why the manifests last failed to load, rendered; removed once they load.
    public static let agentManifestProblem: MetaKey = "agent.manifestProblem"
    /// Why the agent's git source last failed to move (a refused signature, no remote answering);
    /// removed once a pull succeeds.
    public static let agentGitProblem: MetaKey = "agent.gitProblem"
    /// The revision a pin keeps in force (`chainbot pin REV`).
    public static let pinRevision: MetaKey = "pin.revision"
    /// Why the pin was set.
    public static let pinReason: MetaKey = "pin.reason"
    /// When the pin was set, in milliseconds since the epoch.
    public static let pinSince: MetaKey = "pin.since"
}
