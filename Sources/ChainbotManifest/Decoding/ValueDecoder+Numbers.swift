import ChainbotCore
import ChainbotYAML

/// Integers, floats, ports and port ranges.
extension ValueDecoder {
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
    func outsideInt(_ node: Node, _ value: Double, path: String, expected: FieldType, bounds: String) -> Int? {
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
    func quotedNumberNote(_ node: Node) -> [ManifestDiagnostic.Note] {
        guard let scalar = node.scalar, scalar.style != .plain, Int(scalar.text) != nil else { return [] }
        return [.init("remove the quotes to write a number")]
    }

    func number(_ node: Node, range: ClosedRange<Double>, path: String) -> TypedValue? {
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

    func boolean(_ node: Node, path: String) -> TypedValue? {
        guard case .bool(let value)? = node.scalar?.value else {
            var notes: [ManifestDiagnostic.Note] = []
            if let text = node.scalar?.text, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                notes.append(.init("YAML 1.2 reads '\(text)' as a string; write true or false"))
            }
            return mismatch(node, .boolean, path, notes: notes)
        }
        return .bool(value)
    }

    func enumeration(_ node: Node, words: [String], path: String) -> TypedValue? {
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

    func port(_ node: Node, path: String) -> Int? {
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

    func portRange(_ node: Node, path: String) -> TypedValue? {
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
}
