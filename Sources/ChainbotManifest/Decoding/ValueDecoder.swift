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
        case .duration(let minimum): return duration(node, minimum: minimum, path: path)
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

    private func mismatch(_ node: Node, _ type: FieldType, _ path: String, notes: [ManifestDiagnostic.Note] = [])
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

    func integer(_ node: Node, range: ClosedRange<Int>, path: String) -> Int? {
        guard case .int(let value)? = node.scalar?.value else {
            if case .float(let double)? = node.scalar?.value {
                return outsideInt(
                    node, double, path: path, expected: .integer(range),
                    bounds: "\(range.lowerBound)–\(range.upperBound)")
            }
            _ = mismatch(node, .integer(range), path, notes: quotedNumberNote(node))
            return nil
        }
        guard range.contains(value) else {
            context.error(
                .outOfRange, "\(path) \(value) is out of range",
                detail: "must be \(range.lowerBound)–\(range.upperBound)", at: node)
            return nil
        }
        return value
    }

    /// Reports a float where an integer is wanted: a whole number too large for any integer field is
    /// out of range; a fraction, infinity or NaN is the wrong type, named as written.
    private func outsideInt(_ node: Node, _ value: Double, path: String, expected: FieldType, bounds: String) -> Int? {
        let text = node.scalar?.text ?? ""
        if value.isFinite, value == value.rounded() {
            context.error(.outOfRange, "\(path) \(text) is out of range", detail: "must be \(bounds)", at: node)
        } else {
            context.error(
                .typeMismatch, "wrong type for \(path)",
                detail: "expected \(expected.summary), found \(Self.describeFloat(text, value))", at: node)
        }
        return nil
    }

    /// How a float reads in "found …": `.inf (infinity)`, `.nan (not a number)`, `1e400 (out of range)`,
    /// `1.5 (not an integer)`.
    static func describeFloat(_ text: String, _ value: Double) -> String {
        if value.isNaN { return "\(text) (not a number)" }
        if value.isInfinite {
            // `1e400` overflows to infinity; only `.inf` spellings are meant as infinity.
            return text.contains("inf") || text.contains("Inf") || text.contains("INF")
                ? "\(text) (infinity)" : "\(text) (out of range)"
        }
        return "\(text) (not an integer)"
    }

    /// "remove the quotes" when a number was written as a quoted string.
    private func quotedNumberNote(_ node: Node) -> [ManifestDiagnostic.Note] {
        guard let scalar = node.scalar, scalar.style != .plain, Int(scalar.text) != nil else { return [] }
        return [.init("remove the quotes to write a number")]
    }

    private func number(_ node: Node, range: ClosedRange<Double>, path: String) -> TypedValue? {
        let value: Double
        switch node.scalar?.value {
        case .int(let int)?: value = Double(int)
        case .float(let double)? where double.isFinite: value = double
        case .float(let double)?:
            context.error(
                .typeMismatch, "wrong type for \(path)",
                detail:
                    "expected \(FieldType.number(range).summary), found \(Self.describeFloat(node.scalar?.text ?? "", double))",
                at: node)
            return nil
        default: return mismatch(node, .number(range), path)
        }
        guard range.contains(value) else {
            // As written: `1e19`, not a reformatted `1e+19`.
            context.error(
                .outOfRange, "\(path) \(node.scalar?.text ?? FieldType.trim(value)) is out of range",
                detail: "must be \(FieldType.trim(range.lowerBound))–\(FieldType.trim(range.upperBound))", at: node)
            return nil
        }
        return .double(value)
    }

    private func boolean(_ node: Node, path: String) -> TypedValue? {
        guard case .bool(let value)? = node.scalar?.value else {
            var notes: [ManifestDiagnostic.Note] = []
            if let text = node.scalar?.text, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                notes.append(.init("YAML 1.2 reads '\(text)' as a string; write true or false"))
            }
            return mismatch(node, .boolean, path, notes: notes)
        }
        return .bool(value)
    }

    private func enumeration(_ node: Node, words: [String], path: String) -> TypedValue? {
        guard let scalar = node.scalar, scalar.value != .null else { return mismatch(node, .enumeration(words), path) }
        guard words.contains(scalar.text) else {
            let notes = Suggestion.closest(to: scalar.text, in: words).map {
                [ManifestDiagnostic.Note("did you mean '\($0)'?")]
            }
            context.error(
                .invalidEnum, "invalid \(path) '\(scalar.text)'",
                detail: "must be one of " + words.joined(separator: ", "),
                at: node, notes: notes ?? [])
            return nil
        }
        return .string(scalar.text)
    }

    private func port(_ node: Node, path: String) -> Int? {
        guard case .int(let value)? = node.scalar?.value else {
            if case .float(let double)? = node.scalar?.value, double.isFinite, double == double.rounded() {
                context.error(
                    .invalidPort, "\(path) \(node.scalar?.text ?? "") is out of range", detail: "ports are 1–65535",
                    at: node)
                return nil
            }
            _ = mismatch(node, .port, path, notes: quotedNumberNote(node))
            return nil
        }
        guard (1...65535).contains(value) else {
            context.error(.invalidPort, "\(path) \(value) is out of range", detail: "ports are 1–65535", at: node)
            return nil
        }
        return value
    }

    private func portRange(_ node: Node, path: String) -> TypedValue? {
        if case .int = node.scalar?.value {
            return port(node, path: path).map { .portRange(PortRange($0, $0)) }
        }
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            return mismatch(node, .portRange, path)
        }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]) else {
            context.error(
                .invalidPort, "invalid \(path) '\(text)'", detail: "not a port or a range like 8000-8100", at: node)
            return nil
        }
        guard (1...65535).contains(low), (1...65535).contains(high), low <= high else {
            context.error(
                .invalidPort, "invalid \(path) '\(text)'", detail: "a range is LOW-HIGH within 1–65535", at: node)
            return nil
        }
        return .portRange(PortRange(low, high))
    }

    private func duration(_ node: Node, minimum: Duration, path: String) -> TypedValue? {
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            var notes: [ManifestDiagnostic.Note] = []
            if case .int(let value)? = node.scalar?.value { notes.append(.init("add a unit, e.g. '\(value)s'")) }
            return mismatch(node, .duration(minimum: minimum), path, notes: notes)
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
        guard value <= Self.maximumDuration else {
            context.error(
                .outOfRange, "\(path) \(text) is too long",
                detail: "the maximum is \(DurationText.format(Self.maximumDuration))", at: node)
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
        let digits = scalar.text
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

    private func list(_ node: Node, item: FieldType, path: String) -> TypedValue? {
        guard let items = node.sequence else { return mismatch(node, .list(item), path) }
        var values: [TypedValue] = []
        var failed = false
        for (index, element) in items.enumerated() {
            if let value = decode(element, as: item, path: "\(path)[\(index)]") {
                values.append(value)
            } else {
                failed = true
            }
        }
        return failed ? nil : .list(values)
    }

    private func map(_ node: Node, key: StringFormat, value: FieldType, path: String) -> TypedValue? {
        guard let pairs = node.mapping else { return mismatch(node, .map(key: key, value: value), path) }
        var entries: [TypedEntry] = []
        var failed = false
        for pair in pairs {
            guard let keyScalar = pair.key.scalar, keyScalar.value != .null else {
                context.error(
                    .typeMismatch, "wrong type for a key of \(path)",
                    detail: "expected a string, found \(pair.key.kindDescription)", at: pair.key)
                failed = true
                continue
            }
            let keyText = keyScalar.text
            if let problem = Formats.check(keyText, as: key) {
                context.error(
                    Formats.code(for: key), "invalid key '\(keyText)' in \(path)", detail: problem, at: pair.key)
                failed = true
            }
            if let decoded = decode(pair.value, as: value, path: "\(path).\(keyText)") {
                entries.append(TypedEntry(key: keyText, value: decoded))
            } else {
                failed = true
            }
        }
        return failed ? nil : .map(entries)
    }

    private func secretOrText(_ node: Node, path: String) -> TypedValue? {
        if let scalar = node.scalar, scalar.value != .null { return .string(scalar.text) }
        guard let pairs = node.mapping else { return mismatch(node, .secretOrText, path) }
        guard pairs.count == 1, let pair = pairs.first, pair.key.scalar?.text == "secretRef" else {
            let stray = pairs.first { $0.key.scalar?.text != "secretRef" }?.key ?? node
            let notes = stray.scalar.flatMap { Suggestion.closest(to: $0.text, in: ["secretRef"]) }.map {
                [ManifestDiagnostic.Note("did you mean '\($0)'?")]
            }
            context.error(
                .invalidSecretRef, "invalid secret value for \(path)",
                detail: "expected {secretRef: {file: /absolute/path, key: NAME}}", at: stray, notes: notes ?? [])
            return nil
        }
        let inner = ObjectReader(
            pair.value, schema: ManifestSchema.secretRef, path: path + ".secretRef", context: context)
        guard inner.isValid, let file = inner.string("file") else { return nil }
        return .secret(SecretRef(file: file, key: inner.string("key")))
    }
}
