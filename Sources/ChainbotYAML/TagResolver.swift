/// Applies explicit tags: the non-specific `!`, the core `tag:yaml.org,2002:` types, and any other tag.
///
/// `!` means "string, sequence or mapping by node kind" (libyaml marks `! 12` as plain-implicit, so the
/// tag, not libyaml's flag, decides). Unknown and local tags are kept on the node and resolve by kind.
enum TagResolver {
    /// The prefix `!!` expands to.
    static let yamlPrefix = "tag:yaml.org,2002:"

    /// Why a tag does not fit its node, as a message for a `.syntax` problem.
    struct Mismatch: Error {
        var message: String
    }

    /// The value of a scalar with `tag` (nil: untagged), or why the tag does not fit the text.
    static func scalarValue(text: String, style: Scalar.Style, tag: String?) -> Result<ScalarValue, Mismatch> {
        guard let tag else {
            return .success(style == .plain ? CoreSchema.resolvePlain(text) : .string(text))
        }
        let invalid = Mismatch(message: "'\(text)' is not a valid \(shorthand(tag))")
        switch coreName(tag) {
        case "str":
            return .success(.string(text))
        case "null":
            return CoreSchema.isNull(text) ? .success(.null) : .failure(invalid)
        case "bool":
            return CoreSchema.bool(text).map { .success(.bool($0)) } ?? .failure(invalid)
        case "int":
            return CoreSchema.integer(text).map { .success($0) } ?? .failure(invalid)
        case "float":
            if let float = CoreSchema.float(text) { return .success(.float(float)) }
            switch CoreSchema.integer(text) {
            case .int(let int): return .success(.float(Double(int)))
            case .float(let float): return .success(.float(float))
            default: return .failure(invalid)
            }
        case "seq", "map":
            return .failure(Mismatch(message: "a scalar cannot be tagged \(shorthand(tag))"))
        default:
            return .success(.string(text))
        }
    }

    /// Why `tag` does not fit a sequence (`isMapping == false`) or mapping, or nil when it fits.
    static func collectionMismatch(tag: String?, isMapping: Bool) -> Mismatch? {
        guard let tag else { return nil }
        let kind = isMapping ? "a mapping" : "a sequence"
        switch coreName(tag) {
        case "str", "null", "bool", "int", "float":
            return Mismatch(message: "\(kind) cannot be tagged \(shorthand(tag))")
        case "seq" where isMapping, "map" where !isMapping:
            return Mismatch(message: "\(kind) cannot be tagged \(shorthand(tag))")
        default:
            return nil
        }
    }

    /// `!!int` for `tag:yaml.org,2002:int`; other tags as written.
    static func shorthand(_ tag: String) -> String {
        guard let name = coreName(tag) else { return tag }
        return "!!" + name
    }

    /// The part after `tag:yaml.org,2002:`, or nil for any other tag.
    private static func coreName(_ tag: String) -> String? {
        guard tag.hasPrefix(yamlPrefix) else { return nil }
        return String(tag.dropFirst(yamlPrefix.count))
    }
}
