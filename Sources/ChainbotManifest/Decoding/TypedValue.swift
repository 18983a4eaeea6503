import ChainbotCore
import ChainbotYAML

/// A value that passed its schema check, converted to the type the schema names.
enum TypedValue {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case portRange(PortRange)
    case duration(Duration)
    case mode(UInt32)
    case reference(ResourceID)
    case secret(SecretRef)
    case list([TypedValue])
    case map([TypedEntry])
    case object(ObjectReader)

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    var double: Double? {
        switch self {
        case .double(let value): value
        case .int(let value): Double(value)
        default: nil
        }
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var list: [TypedValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    var map: [TypedEntry]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    var object: ObjectReader? {
        if case .object(let reader) = self { return reader }
        return nil
    }
}

/// One entry of a checked mapping.
struct TypedEntry {
    var key: String
    var value: TypedValue
}
