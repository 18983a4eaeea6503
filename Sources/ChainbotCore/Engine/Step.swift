/// What one step does to the host, as data, so plans can be compared in tests and shown before running.
public enum StepAction: Sendable, Hashable, CustomStringConvertible {
    /// Writes a file atomically (temp file, mode and owner, rename).
    case writeFile(FileWrite)
    /// Removes a file chainbot wrote.
    case removeFile(path: String)
    /// `systemctl daemon-reload`, once per run however many units changed.
    case daemonReload
    /// `systemctl VERB UNIT`.
    case systemctl(SystemctlVerb, unit: String)

    /// True for actions that many resources ask for but that run once per plan.
    public var isShared: Bool { self == .daemonReload }

    public var description: String {
        switch self {
        case .writeFile(let write): "write \(write.path)"
        case .removeFile(let path): "remove \(path)"
        case .daemonReload: "systemctl daemon-reload"
        case .systemctl(let verb, let unit): "systemctl \(verb.rawValue) \(unit)"
        }
    }
}

/// The systemctl verbs steps use.
public enum SystemctlVerb: String, Sendable, Hashable, CaseIterable {
    case enable, disable, start, stop, restart
    case resetFailed = "reset-failed"
}

/// A file to write: where, what, and with which permissions.
public struct FileWrite: Sendable, Hashable {
    public var path: String
    public var content: [UInt8]
    public var mode: UInt32
    public var owner: String?
    public var group: String?

    public init(path: String, content: [UInt8], mode: UInt32 = 0o644, owner: String? = nil, group: String? = nil) {
        self.path = path
        self.content = content
        self.mode = mode
        self.owner = owner
        self.group = group
    }
}

/// One step of a plan.
public struct Step: Sendable, Hashable {
    /// Position in the plan, from 0; steps run in this order.
    public var index: Int
    /// The resource the step belongs to (for a shared step, the first that asked for it).
    public var resource: ResourceID
    public var action: StepAction
    /// Steps that must have succeeded for this one to run; if one failed or was blocked, so is this.
    public var requires: [Int]
    /// Why the step is there, for people ("unit file changed", "stopped by hand").
    public var reason: String

    public init(index: Int, resource: ResourceID, action: StepAction, requires: [Int] = [], reason: String) {
        self.index = index
        self.resource = resource
        self.action = action
        self.requires = requires
        self.reason = reason
    }
}
