/// An AI agent registered in the ALEX OS registry.
public struct AgentSpec: Sendable, Hashable, Codable {
    public enum AgentType: String, Sendable, Hashable, Codable, CaseIterable {
        case alexOSFrameworkAgent = "alex_os_framework_agent"
        case aiAgent = "ai_agent"
    }

    /// The registry's `agent_name` (defaults to `metadata.name`).
    public var agentID: String
    public var displayName: String?
    public var description: String?
    public var role: String?
    public var agentType: AgentType
    public var version: String
    public var capabilities: [String]
    public var uiFeatures: [String]
    public var endpoints: [String]
    public var port: Int?
    /// A URL or a path on the agent's port, answering JSON with a `status`.
    public var healthEndpoint: String?
    /// The Service that runs the agent.
    public var service: ResourceID?
    /// A token the registry expects, sent as `Authorization: Bearer` with this agent's register and
    /// deregister calls; read at apply time, never stored or shown.
    public var token: SecretRef?

    public init(
        agentID: String, displayName: String? = nil, description: String? = nil, role: String? = nil,
        agentType: AgentType = .aiAgent, version: String, capabilities: [String] = [], uiFeatures: [String] = [],
        endpoints: [String] = [], port: Int? = nil, healthEndpoint: String? = nil, service: ResourceID? = nil,
        token: SecretRef? = nil
    ) {
        self.agentID = agentID
        self.displayName = displayName
        self.description = description
        self.role = role
        self.agentType = agentType
        self.version = version
        self.capabilities = capabilities
        self.uiFeatures = uiFeatures
        self.endpoints = endpoints
        self.port = port
        self.healthEndpoint = healthEndpoint
        self.service = service
        self.token = token
    }
}

/// A target Watchtower monitors and chainbot probes.
public struct WatchtowerTargetSpec: Sendable, Hashable, Codable {
    public enum TargetType: String, Sendable, Hashable, Codable, CaseIterable {
        case http, tcp, systemd, process
    }

    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        case info, warning, error, critical
    }

    public var type: TargetType
    /// A URL (http), `host:port` (tcp), a unit name (systemd) or a process name (process).
    public var target: String
    public var interval: Duration
    public var timeout: Duration
    /// Consecutive failures before an alert.
    public var failureThreshold: Int
    /// Consecutive successes before recovery.
    public var recoveryThreshold: Int
    /// Expected HTTP status (http only).
    public var expectStatus: Int
    /// Expected JSON `status` value (http only), e.g. `healthy`.
    public var expectJSONStatus: String?
    public var severity: Severity

    public init(
        type: TargetType, target: String, interval: Duration = .seconds(30), timeout: Duration = .seconds(5),
        failureThreshold: Int = 3, recoveryThreshold: Int = 1, expectStatus: Int = 200,
        expectJSONStatus: String? = nil, severity: Severity = .warning
    ) {
        self.type = type
        self.target = target
        self.interval = interval
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.expectStatus = expectStatus
        self.expectJSONStatus = expectJSONStatus
        self.severity = severity
    }
}
