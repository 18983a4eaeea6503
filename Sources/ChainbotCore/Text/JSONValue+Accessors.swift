/// The one way to read a `JSONValue`: each accessor is nil when the value is not of that type, so a reader
/// chains them (`reply["agents"]?.array`) and never crashes on what a peer sent.
extension JSONValue {
    /// The value of the first member named `key` when this is an object; nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The text of a string.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of an integer number (`.int`): nil for fractions, exponents, numbers no `Int` holds and
    /// numeric strings.
    public var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The value of any number (`.int`, `.double`, or `.number` read as a `Double`).
    public var double: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .number(let text): Double(text)
        default: nil
        }
    }

    /// The value of `true` or `false`.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The items of an array.
    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object, in their order.
    public var object: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }
}
