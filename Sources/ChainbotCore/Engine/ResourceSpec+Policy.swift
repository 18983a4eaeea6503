/// What the engine needs to know of a kind beyond its provider, as data read from the spec: who a
/// resource's file write notifies, and how its health is counted. Planning and status read these, never a
/// kind's name.
extension ResourceSpec {
    /// The resources to notify when this resource's file is written (a ConfigFile's `notify`).
    public var notifies: [ResourceID] {
        if case .configFile(let file) = self { return file.notify }
        return []
    }

    /// The host path this resource's file write lands on (a ConfigFile's `path`); nil for other kinds.
    public var writesPath: String? {
        if case .configFile(let file) = self { return file.path }
        return nil
    }

    /// Host files the resource reads when it starts, so that writing one notifies it (a structured
    /// Service's `EnvironmentFile`).
    public var readsPaths: [String] {
        if case .service(let service) = self, case .structured(let unit) = service.definition {
            return unit.environmentFile.map { [$0] } ?? []
        }
        return []
    }

    /// How probe results count towards the reported health (a WatchtowerTarget's thresholds and severity);
    /// nil: each observation counts as it is.
    public var healthPolicy: HealthPolicy? {
        guard case .watchtowerTarget(let target) = self else { return nil }
        return HealthPolicy(
            failureThreshold: target.failureThreshold, recoveryThreshold: target.recoveryThreshold,
            severity: Event.Severity(rawValue: target.severity.rawValue))
    }
}

/// How a resource's probe results count, as its spec declares: a failure counts only after
/// `failureThreshold` in a row, a recovery after `recoveryThreshold`.
public struct HealthPolicy: Sendable, Hashable {
    /// Failed probes in a row before the resource is Degraded.
    public var failureThreshold: Int
    /// Passed probes in a row before a Degraded resource is Healthy again.
    public var recoveryThreshold: Int
    /// The severity of the events it raises when it fails.
    public var severity: Event.Severity?

    public init(failureThreshold: Int, recoveryThreshold: Int, severity: Event.Severity?) {
        self.failureThreshold = failureThreshold
        self.recoveryThreshold = recoveryThreshold
        self.severity = severity
    }
}
