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
    /// Replaces chainbot's whole firewall in one transaction, then confirms it or reverts it.
    case loadFirewall(FirewallLoad)
    /// Sets the running host name (what `hostnamectl set-hostname` does besides writing /etc/hostname).
    case setHostname(String)
    /// Runs a service's configured reload command (argv, never a shell string), e.g. after its config
    /// file was rewritten.
    case reload(argv: [String])
    /// `POST`s the agent's registration to the ALEX OS registry (register, or re-register when it differs).
    case registerAgent(AgentSpec)
    /// Asks the ALEX OS registry to forget the agent named `agentID`.
    case deregisterAgent(agentID: String, token: SecretRef?)

    /// True for actions that many resources ask for but that run once per plan.
    public var isShared: Bool { self == .daemonReload }

    /// True for actions that several resources may ask for, identically, in one plan; the plan holds
    /// the step once and every asker's later steps wait for it.
    public var runsOncePerPlan: Bool {
        switch self {
        // One file rendered from several resources (Watchtower's targets file): identical writes are one.
        case .loadFirewall, .daemonReload, .writeFile, .reload: true
        // A Port asking to restart its owner when a changed ConfigFile restarts it already.
        case .systemctl(let verb, _): verb == .restart
        default: false
        }
    }

    /// The actions that may run together with this one for different resources, handed to the provider
    /// in one `execute(together:)`: service starts and restarts (one job transaction, each waits for its
    /// unit to come up), enables and disables (one change of links). Nil: it runs alone.
    public var batch: StepBatch? {
        guard case .systemctl(let verb, _) = self else { return nil }
        switch verb {
        case .start, .restart: return .unitJobs
        case .enable, .disable: return .unitLinks
        case .stop, .resetFailed: return nil
        }
    }

    public var description: String {
        switch self {
        case .writeFile(let write): "write \(write.path)"
        case .removeFile(let path): "remove \(path)"
        case .daemonReload: "systemctl daemon-reload"
        case .systemctl(let verb, let unit): "systemctl \(verb.rawValue) \(unit)"
        case .loadFirewall(let load): load.description
        case .setHostname(let name): "set hostname \(name)"
        case .reload(let argv): "run " + CommandInvocation(argv.first ?? "", Array(argv.dropFirst())).description
        case .registerAgent(let spec): "register agent \(spec.agentID) \(spec.version) in ALEX OS"
        case .deregisterAgent(let agentID, _): "deregister agent \(agentID) from ALEX OS"
        }
    }
}

/// Which actions run together (`StepAction.batch`): only actions of the same batch stand in one.
public enum StepBatch: Sendable, Hashable {
    /// `systemctl start` and `restart`.
    case unitJobs
    /// `systemctl enable` and `disable`.
    case unitLinks
}

/// The systemctl verbs steps use.
public enum SystemctlVerb: String, Sendable, Hashable, CaseIterable {
    case enable, disable, start, stop, restart
    case resetFailed = "reset-failed"
}

/// A file to write: where, what, and with which permissions.
///
/// The content may hold secrets, so the description and the mirror (`dump`, test failure output) show
/// only its size and digest, never the bytes.
public struct FileWrite: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var path: String
    public var content: [UInt8]
    public var mode: UInt32
    public var owner: String?
    public var group: String?
    /// For a file others write too, edited in place: the SHA-256 (hex) of the bytes the content was made
    /// from. Writing refuses when the file holds anything else by then (edited after it was read).
    public var basedOn: String? = nil

    public init(path: String, content: [UInt8], mode: UInt32 = 0o644, owner: String? = nil, group: String? = nil) {
        self.path = path
        self.content = content
        self.mode = mode
        self.owner = owner
        self.group = group
    }

    /// `sha256:` and 12 hex digits of the content.
    public var contentDigest: String { "sha256:" + String(SHA256.hex(SHA256.hash(content)).prefix(12)) }

    public var description: String {
        let octal = String(mode, radix: 8)
        let who = [owner, group].compactMap { $0 }.joined(separator: ":")
        return "\(path) (\(content.count) bytes, \(contentDigest), mode \(octal)\(who.isEmpty ? "" : ", " + who))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "path": path, "content": "\(content.count) bytes, \(contentDigest)", "mode": mode,
                "owner": owner as Any,
                "group": group as Any,
            ])
    }
}

/// A whole firewall to load: what the backend takes, what must be true after loading, and how long the
/// new rules may stay unconfirmed before they are reverted.
public struct FirewallLoad: Sendable, Hashable, CustomStringConvertible {
    public var backend: FirewallSpec.Backend
    /// The backend's own input: the `nft -f` file for nftables, one `ufw` argv per line for UFW.
    public var rendered: String
    /// The rules as they must read back after loading, one normalized line each (the policy first).
    public var expected: [String]
    /// TCP ports that must be accepted before anything else.
    public var managementPorts: [Int]
    public var confirmTimeout: Duration

    public init(
        backend: FirewallSpec.Backend, rendered: String, expected: [String], managementPorts: [Int],
        confirmTimeout: Duration
    ) {
        self.backend = backend
        self.rendered = rendered
        self.expected = expected
        self.managementPorts = managementPorts
        self.confirmTimeout = confirmTimeout
    }

    public var description: String {
        let what = backend == .nftables ? "nftables table inet chainbot" : "ufw rules"
        return
            "load \(what) (\(max(expected.count - 1, 0)) rules, confirm within \(DurationText.format(confirmTimeout)))"
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
