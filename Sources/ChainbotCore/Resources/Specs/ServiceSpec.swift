/// A systemd service chainbot owns: the unit file (structured fields or raw text), drop-ins, and
/// whether it should be enabled and running.
public struct ServiceSpec: Sendable, Hashable, Codable {
    /// How the unit file is written.
    public enum Definition: Sendable, Hashable, Codable {
        /// Rendered from structured fields.
        case structured(ServiceUnit)
        /// Taken verbatim from `spec.unit`.
        case raw(String)
    }

    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case running, stopped
    }

    /// The full unit name, `NAME.service` unless `spec.unitName` says otherwise.
    public var unitName: String
    public var definition: Definition
    /// Drop-in files (`NAME.conf` under `UNIT.d/`), sorted by name.
    public var dropIns: [NamedText]
    public var enabled: Bool
    public var state: State
    public var healthCheck: HealthCheck?
    /// How long the service must stay active after chainbot started or restarted it before the start
    /// counts as done (`spec.minUptime`); nil: `defaultMinUptime`.
    public var minUptime: Duration?

    /// A start counts as done once the service has been active this long, unless `minUptime` says otherwise.
    public static let defaultMinUptime: Duration = .milliseconds(200)
    /// The longest `minUptime` a manifest may ask for: a start waits this long, and an agent's pass with it.
    public static let maximumMinUptime: Duration = .seconds(60)

    public init(
        unitName: String, definition: Definition, dropIns: [NamedText] = [], enabled: Bool = true,
        state: State = .running, healthCheck: HealthCheck? = nil, minUptime: Duration? = nil
    ) {
        self.unitName = unitName
        self.definition = definition
        self.dropIns = dropIns
        self.enabled = enabled
        self.state = state
        self.healthCheck = healthCheck
        self.minUptime = minUptime
    }
}

/// A name and its text, e.g. a drop-in file.
public struct NamedText: Sendable, Hashable, Codable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// The structured fields of a service unit.
public struct ServiceUnit: Sendable, Hashable, Codable {
    public var description: String?
    /// `ExecStart=`: an absolute path and its arguments.
    public var exec: String
    /// `Type=`: simple, exec, forking, oneshot, notify, idle.
    public var type: String?
    public var user: String?
    public var group: String?
    public var workingDirectory: String?
    /// Environment variables, sorted by name.
    public var environment: [NamedText]
    public var environmentFile: String?
    public var after: [String]
    public var wants: [String]
    public var requires: [String]
    public var wantedBy: [String]
    /// `Restart=`: no, always, on-success, on-failure, on-abnormal, on-abort, on-watchdog.
    public var restart: String?
    public var restartSec: Duration?
    public var hardening: Hardening?

    public init(
        description: String? = nil, exec: String, type: String? = nil, user: String? = nil,
        group: String? = nil, workingDirectory: String? = nil, environment: [NamedText] = [],
        environmentFile: String? = nil, after: [String] = [], wants: [String] = [], requires: [String] = [],
        wantedBy: [String] = ["multi-user.target"], restart: String? = nil, restartSec: Duration? = nil,
        hardening: Hardening? = nil
    ) {
        self.description = description
        self.exec = exec
        self.type = type
        self.user = user
        self.group = group
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.environmentFile = environmentFile
        self.after = after
        self.wants = wants
        self.requires = requires
        self.wantedBy = wantedBy
        self.restart = restart
        self.restartSec = restartSec
        self.hardening = hardening
    }
}

/// systemd sandboxing options for a structured service.
public struct Hardening: Sendable, Hashable, Codable {
    public var noNewPrivileges: Bool?
    public var privateTmp: Bool?
    /// `ProtectSystem=`: true, false, full, strict.
    public var protectSystem: String?
    /// `ProtectHome=`: true, false, read-only, tmpfs.
    public var protectHome: String?
    public var readWritePaths: [String]

    public init(
        noNewPrivileges: Bool? = nil, privateTmp: Bool? = nil, protectSystem: String? = nil,
        protectHome: String? = nil, readWritePaths: [String] = []
    ) {
        self.noNewPrivileges = noNewPrivileges
        self.privateTmp = privateTmp
        self.protectSystem = protectSystem
        self.protectHome = protectHome
        self.readWritePaths = readWritePaths
    }
}

/// How chainbot checks a service beyond systemd's own state.
public struct HealthCheck: Sendable, Hashable, Codable {
    public enum Probe: Sendable, Hashable, Codable {
        /// GET this URL; healthy on 2xx (and a JSON `status` of ok/healthy when present).
        case http(String)
        /// Connect to `host:port`.
        case tcp(String)
        /// Run this command (argv split on spaces); healthy on exit 0.
        case exec(String)
    }

    public var probe: Probe
    public var interval: Duration
    public var timeout: Duration

    public init(probe: Probe, interval: Duration = .seconds(30), timeout: Duration = .seconds(5)) {
        self.probe = probe
        self.interval = interval
        self.timeout = timeout
    }
}
