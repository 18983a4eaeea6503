/// Something that happened to a resource, Kubernetes style: a type, a reason, what it regards and a message.
///
/// Occurrences with the same type, reason, regarding resource and message are one event with a count.
public struct Event: Sendable, Hashable {
    /// Whether an event is routine or needs attention.
    public enum EventType: String, Sendable, Hashable, CaseIterable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var type: EventType
    /// A short UpperCamelCase cause, e.g. `DriftDetected`, `Applied`, `ApplyFailed`.
    public var reason: String
    /// The kind of the resource the event regards, e.g. `Service`.
    public var regardingKind: String
    /// The name of the resource the event regards.
    public var regardingName: String
    /// What happened, for people; it must not contain secret values.
    public var message: String
    /// The manifest set's generation at the time, when known.
    public var generation: String?

    public init(
        type: EventType, reason: String, regardingKind: String, regardingName: String, message: String,
        generation: String? = nil
    ) {
        self.type = type
        self.reason = reason
        self.regardingKind = regardingKind
        self.regardingName = regardingName
        self.message = message
        self.generation = generation
    }

    /// `Kind/name` of the resource the event regards.
    public var regarding: String { "\(regardingKind)/\(regardingName)" }
}
