/// A JSON value (RFC 8259) whose objects keep their member order: parsed with `init(parsing:)`, written with
/// `serialized(pretty:)`, read with the accessors in `JSONValue+Accessors.swift`.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// A number as written in parsed text, for one an `Int` does not hold (a fraction, an exponent, or out of
    /// range): kept as text so that it is written back exactly as read; `double` reads its value.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in their order; a key may repeat (`subscript(key:)` finds the first).
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(serialized())
    }
}
