/// One comparable aspect of a resource's state — a file's text, a unit's enablement — as chainbot
/// wants it or finds it. Planning compares desired facets with observed ones, name by name.
public struct Facet: Sendable, Hashable {
    /// A stable name shown to people: `unit file`, `enabled`, `drop-in limits.conf`, `mode`.
    public var name: String
    public var value: FacetValue

    public init(_ name: String, _ value: FacetValue) {
        self.name = name
        self.value = value
    }
}

/// The value of a facet.
public enum FacetValue: Sendable, Hashable, CustomStringConvertible {
    /// Not there: no file, no unit.
    case absent
    /// Text shown as a unified diff when it changes (unit files, config files).
    case text(String)
    /// A short word shown as `before → after` (`enabled`, `running`, `0640`).
    case word(String)
    /// Content that holds a secret: compared and shown only by digest (`sha256:` + 12 hex).
    case secret(digest: String)

    /// The value as one line, for `before → after` displays and JSON.
    public var description: String {
        switch self {
        case .absent: "(absent)"
        case .text(let text): text.count <= 40 && !text.contains("\n") ? text : "(\(text.utf8.count) bytes)"
        case .word(let word): word
        case .secret(let digest): digest
        }
    }
}

/// A facet whose desired and observed values differ.
public struct FieldChange: Sendable, Hashable {
    public var resource: ResourceID
    public var facet: String
    public var from: FacetValue
    public var to: FacetValue

    public init(resource: ResourceID, facet: String, from: FacetValue, to: FacetValue) {
        self.resource = resource
        self.facet = facet
        self.from = from
        self.to = to
    }
}
