import ChainbotCore
import ChainbotYAML

/// Checks a node against a field type and converts it, reporting every problem to the context.
struct ValueDecoder {
    let context: DecodeContext

    private static let coreTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    ]

    /// The longest duration any field takes (365 days): longer ones overflow timers that count nanoseconds.
    static let maximumDuration = Duration.seconds(365 * 86_400)

    /// The typed value of `node`, or nil after reporting why it does not fit `type`.
    func decode(_ node: Node, as type: FieldType, path: String) -> TypedValue? {
        if let tag = node.tag, !Self.coreTags.contains(tag) {
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : Substring(tag)
            context.error(
                .unsupportedTag, "unsupported tag '\(shown)' on \(path)",
                detail: "chainbot reads plain YAML values only", at: node)
            return nil
        }
        switch type {
        case .string(let format): return string(node, format: format, path: path)
        case .integer(let range): return integer(node, range: range, path: path).map(TypedValue.int)
        case .number(let range): return number(node, range: range, path: path)
        case .boolean: return boolean(node, path: path)
        case .enumeration(let words): return enumeration(node, words: words, path: path)
        case .port: return port(node, path: path).map(TypedValue.int)
        case .portRange: return portRange(node, path: path)
        case .duration(let minimum, let maximum):
            return duration(node, minimum: minimum, maximum: maximum, path: path)
        case .mode: return mode(node, path: path)
        case .list(let item): return list(node, item: item, path: path)
        case .map(let key, let value): return map(node, key: key, value: value, path: path)
        case .object(let schema):
            guard node.mapping != nil else { return mismatch(node, type, path) }
            return .object(ObjectReader(node, schema: schema, path: path, context: context))
        case .secretOrText: return secretOrText(node, path: path)
        case .scalarText:
            guard let scalar = node.scalar, scalar.value != .null else { return mismatch(node, type, path) }
            return .string(scalar.text)
        case .scalarLine:
            guard let scalar = node.scalar, scalar.value != .null else { return mismatch(node, type, path) }
            if let problem = Formats.unitLine(scalar.text) {
                context.error(.unwritableValue, "invalid \(path)", detail: problem, at: node)
                return nil
            }
            return .string(scalar.text)
        case .any: return .string("")
        case .oneOrMany(let item):
            if node.sequence != nil { return list(node, item: item, path: path) }
            return decode(node, as: item, path: path).map { .list([$0]) }
        }
    }

    /// Formats whose text becomes one line of a unit file: a line break there is `unwritable-value`.
    private static func writtenOnOneLine(_ format: StringFormat) -> Bool {
        switch format {
        case .line, .command, .unitPath: true
        default: false
        }
    }

    func mismatch(_ node: Node, _ type: FieldType, _ path: String, notes: [ManifestDiagnostic.Note] = [])
        -> TypedValue?
    {
        context.error(
            .typeMismatch, "wrong type for \(path)", detail: "expected \(type.summary), found \(node.kindDescription)",
            at: node,
            notes: notes)
        return nil
    }

    private func string(_ node: Node, format: StringFormat, path: String) -> TypedValue? {
        guard let scalar = node.scalar else { return mismatch(node, .string(format), path) }
        switch scalar.value {
        case .string: break
        case .int, .float:
            // A plain number where text is wanted (`version: 1.0`) reads as written.
            if case .text = format {
            } else if case .nonEmpty = format {
            } else {
                return mismatch(node, .string(format), path)
            }
        case .null, .bool: return mismatch(node, .string(format), path)
        }
        let text = scalar.text
        if Self.writtenOnOneLine(format), let problem = Formats.unitLine(text) {
            context.error(.unwritableValue, "invalid \(path)", detail: problem, at: node)
            return nil
        }
        if let problem = Formats.check(text, as: format) {
            context.error(Formats.code(for: format), "invalid \(path) '\(text)'", detail: problem, at: node)
            return nil
        }
        if case .reference = format, let id = ResourceID(parsing: text) { return .reference(id) }
        // One spelling per file, so `/etc/./x` and `/etc/x` are the same path to every later check.
        if case .writablePath = format { return .string(Formats.normalizedPath(text)) }
        return .string(text)
    }

    private func duration(_ node: Node, minimum: Duration, maximum: Duration?, path: String) -> TypedValue? {
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            var notes: [ManifestDiagnostic.Note] = []
            if case .int(let value)? = node.scalar?.value { notes.append(.init("add a unit, e.g. '\(value)s'")) }
            return mismatch(node, .duration(minimum: minimum, maximum: maximum), path, notes: notes)
        }
        guard let value = DurationText.parse(text) else {
            context.error(
                .invalidDuration, "invalid \(path) '\(text)'", detail: "not a duration like 250ms, 30s, 5m or 1h30m",
                at: node)
            return nil
        }
        guard value >= minimum else {
            context.error(
                .outOfRange, "\(path) \(text) is too short", detail: "the minimum is \(DurationText.format(minimum))",
                at: node)
            return nil
        }
        let limit = min(maximum ?? Self.maximumDuration, Self.maximumDuration)
        guard value <= limit else {
            context.error(
                .outOfRange, "\(path) \(text) is too long", detail: "the maximum is \(DurationText.format(limit))",
                at: node)
            return nil
        }
        return .duration(value)
    }

    private func mode(_ node: Node, path: String) -> TypedValue? {
        guard let scalar = node.scalar else { return mismatch(node, .mode, path) }
        if case .int(let value) = scalar.value {
            if scalar.text.hasPrefix("0o"), (0...0o7777).contains(value) { return .mode(UInt32(value)) }
            context.error(
                .invalidMode, "invalid \(path) \(scalar.text)", detail: "a mode must be written in octal", at: node,
                notes: [
                    .init(
                        "YAML 1.2 reads \(scalar.text) as a decimal number; write '0\(scalar.text.drop { $0 == "0" })' in quotes, or 0o\(scalar.text.drop { $0 == "0" })"
                    )
                ])
            return nil
        }
        // '0o640' quoted is the same mode as the YAML 1.2 octal 0o640.
        let digits = scalar.text.hasPrefix("0o") ? String(scalar.text.dropFirst(2)) : scalar.text
        // Only the digits 0–7: `UInt32(_:radix:)` alone would take a sign ('+644').
        guard case .string = scalar.value, (3...4).contains(digits.utf8.count),
            digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }),
            let value = UInt32(digits, radix: 8)
        else {
            context.error(
                .invalidMode, "invalid \(path) '\(scalar.text)'", detail: "not an octal mode like '0640'", at: node)
            return nil
        }
        return .mode(value)
    }

}
