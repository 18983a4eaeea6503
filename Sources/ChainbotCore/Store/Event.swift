/// Something that happened to a resource, Kubernetes style: a type, a reason, what it regards and a message.
///
/// Occurrences with the same type, reason, regarding resource and message are one event with a count.
public struct Event: Sendable, Hashable {
    /// Whether an event is routine or needs attention.
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        case normal = "Normal"
        case warning = "Warning"
    }

    /// How urgent an event is for ALEX OS, in its own words (DESIGN.md §7).
    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        case info, warning, error, critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    public var type: EventType
    /// A short UpperCamelCase cause, e.g. `DriftDetected`, `Applied`, `ApplyFailed`.
    public var reason: Reason
    /// The kind of the resource the event regards, e.g. `Service`.
    public var regardingKind: String
    /// The name of the resource the event regards.
    public var regardingName: String
    /// What happened, for people; it must not contain secret values.
    public var message: String
    /// The manifest set's generation at the time, when known.
    public var generation: String?
    /// The severity the resource asked for (a WatchtowerTarget's `severity`); nil: from the type, `info` for
    /// Normal and `warning` for Warning. Not part of the event's identity; the latest occurrence's counts.
    public var severity: Severity?

    public init(
        type: EventType, reason: Reason, regardingKind: String, regardingName: String, message: String,
        generation: String? = nil
    ) {
        self.type = type
        self.reason = reason
        self.regardingKind = regardingKind
        self.regardingName = regardingName
        self.message = message
        self.generation = generation
        severity = nil
    }

    /// An event regarding the resource `id`.
    public init(type: EventType, reason: Reason, regarding id: ResourceID, message: String, generation: String? = nil) {
        self.init(
            type: type, reason: reason, regardingKind: id.kind.rawValue, regardingName: id.name, message: message,
            generation: generation)
    }

    /// `severity`, or the one the type implies.
    public var effectiveSeverity: Severity { severity ?? (type == .warning ? .warning : .info) }

    /// `Kind/name` of the resource the event regards.
    public var regarding: String { "\(regardingKind)/\(regardingName)" }
}
