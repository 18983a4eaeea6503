/// One D-Bus value with its type, as it travels in a message body or a header field.
///
/// Only what chainbot needs from systemd's interfaces; `h` (unix fd) is not supported.
public indirect enum DBusValue: Sendable, Hashable {
    case byte(UInt8)
    case boolean(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// Elements of one type, spelled by `elementSignature` (kept so an empty array still has a type).
    case array(elementSignature: String, [DBusValue])
    case structure([DBusValue])
    case variant(DBusValue)
    case dictEntry(key: DBusValue, value: DBusValue)

    /// The value's D-Bus type signature, such as `s`, `a{sv}` or `(uo)`.
    public var signature: String {
        switch self {
        case .byte: "y"
        case .boolean: "b"
        case .int16: "n"
        case .uint16: "q"
        case .int32: "i"
        case .uint32: "u"
        case .int64: "x"
        case .uint64: "t"
        case .double: "d"
        case .string: "s"
        case .objectPath: "o"
        case .signature: "g"
        case .array(let element, _): "a" + element
        case .structure(let fields): "(" + fields.map(\.signature).joined() + ")"
        case .variant: "v"
        case .dictEntry(let key, let value): "{" + key.signature + value.signature + "}"
        }
    }

    /// The text of a string, object path or signature; nil for other types.
    public var text: String? {
        switch self {
        case .string(let text), .objectPath(let text), .signature(let text): text
        default: nil
        }
    }

    /// The elements of an array; nil for other types.
    public var elements: [DBusValue]? {
        if case .array(_, let elements) = self { elements } else { nil }
    }

    /// An `a{sv}` array as a dictionary from key to the value inside its variant; nil for other shapes.
    public var stringVariantDictionary: [String: DBusValue]? {
        guard case .array("{sv}", let entries) = self else { return nil }
        var result: [String: DBusValue] = [:]
        for case .dictEntry(.string(let key), .variant(let value)) in entries { result[key] = value }
        return result
    }
}
