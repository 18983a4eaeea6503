import ChainbotCore
import ChainbotYAML

/// Reads one mapping against its schema: reports unknown, missing and conflicting fields once, then
/// hands out typed values of the fields that passed their checks.
final class ObjectReader {
    let node: Node
    let schema: ObjectSchema
    let path: String
    let context: DecodeContext
    private let pairs: [Pair]
    // Indexed like `schema.fields`: a handful of fields each, so arrays beat hashing.
    private var values: [TypedValue?]
    /// Where each field's entry is in `pairs`, or -1.
    private var positions: [Int]
    private let errorsBefore: Int

    /// Checks `node` against `schema`; `path` is the dotted path of the mapping (`spec`, `spec.expose`).
    init(_ node: Node, schema: ObjectSchema, path: String, context: DecodeContext) {
        self.node = node
        self.schema = schema
        self.path = path
        self.context = context
        self.errorsBefore = context.errorCount
        self.pairs = node.mapping ?? []
        self.values = Array(repeating: nil, count: schema.fields.count)
        self.positions = Array(repeating: -1, count: schema.fields.count)
        guard node.mapping != nil else {
            context.error(
                .typeMismatch, "wrong type for \(path)", detail: "expected a mapping, found \(node.kindDescription)",
                at: node)
            return
        }
        let decoder = ValueDecoder(context: context)
        for (position, pair) in pairs.enumerated() {
            guard let key = pair.key.scalar?.text, pair.key.scalar?.value != .null else {
                context.error(
                    .typeMismatch, "wrong type for a key of \(path)",
                    detail: "expected a string, found \(pair.key.kindDescription)",
                    at: pair.key)
                continue
            }
            guard let fieldIndex = schema.fields.firstIndex(where: { $0.name == key }) else {
                let notes = Suggestion.closest(to: key, in: schema.fields.map(\.name)).map {
                    [ManifestDiagnostic.Note("did you mean '\($0)'?")]
                }
                context.error(.unknownField, "unknown field '\(display(key))'", at: pair.key, notes: notes ?? [])
                continue
            }
            positions[fieldIndex] = position
            if pair.value.scalar?.value == .null { continue }  // `field:` alone (or `!!null`) means unset
            let fieldPath = path.isEmpty ? key : "\(path).\(key)"
            values[fieldIndex] = decoder.decode(pair.value, as: schema.fields[fieldIndex].type, path: fieldPath)
        }
        checkRequired()
        checkGroups()
    }

    private func checkRequired() {
        for field in schema.fields where field.required && !isPresent(field.name) {
            context.error(.missingField, "missing required field '\(display(field.name))'", at: anchorNode)
        }
    }

    private func checkGroups() {
        for group in schema.exclusive {
            let given = group.filter(isPresent)
            guard given.count > 1, let first = keyNode(given[0]), let second = keyNode(given[1]) else { continue }
            context.error(
                .conflictingFields, "'\(display(given[1]))' cannot be combined with '\(given[0])'", at: second,
                notes: [.init("'\(given[0])' is given here", at: context.location(of: first))])
        }
        for group in schema.requireOne where !group.contains(where: isPresent) {
            let names = group.map { "'\(display($0))'" }
            let list =
                names.count == 2
                ? names.joined(separator: " or ")
                : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
            context.error(.missingOneOf, "one of \(list) is required", at: anchorNode)
        }
    }

    /// A field as messages name it: bare for top-level and spec fields (`enabled`), else dotted
    /// (`metadata.name`, `spec.expose.from`).
    private func display(_ key: String) -> String {
        path.isEmpty || path == "spec" ? key : "\(path).\(key)"
    }

    /// Where "missing field" errors point: the mapping's first key, or the mapping itself when empty.
    private var anchorNode: Node {
        node.mapping?.first?.key ?? node
    }

    private func index(_ name: String) -> Int? {
        schema.fields.firstIndex { $0.name == name }
    }

    private func isPresent(_ name: String) -> Bool {
        guard let value = valueNode(name) else { return false }
        return value.scalar?.value != .null
    }

    /// True when no error was reported while reading this mapping (nested values included).
    var isValid: Bool { context.errorCount == errorsBefore }

    func has(_ name: String) -> Bool { isPresent(name) }

    /// The key node of a field, for pointing diagnostics at it.
    func keyNode(_ name: String) -> Node? { entry(name)?.key }

    /// The value node of a field, for checks that need more than its type.
    func valueNode(_ name: String) -> Node? { entry(name)?.value }

    private func entry(_ name: String) -> Pair? {
        guard let index = index(name), positions[index] >= 0 else { return nil }
        return pairs[positions[index]]
    }

    func value(_ name: String) -> TypedValue? { index(name).flatMap { values[$0] } }

    func string(_ name: String) -> String? { value(name)?.string }

    func int(_ name: String) -> Int? { value(name)?.int }

    func double(_ name: String) -> Double? { value(name)?.double }

    func bool(_ name: String) -> Bool? { value(name)?.bool }

    func object(_ name: String) -> ObjectReader? { value(name)?.object }

    func strings(_ name: String) -> [String]? { value(name)?.list?.compactMap(\.string) }

    func duration(_ name: String) -> Duration? {
        if case .duration(let result)? = value(name) { return result }
        return nil
    }

    func reference(_ name: String) -> ResourceID? {
        if case .reference(let id)? = value(name) { return id }
        return nil
    }

    func references(_ name: String) -> [ResourceID]? {
        value(name)?.list?.compactMap { item in
            if case .reference(let id) = item { return id }
            return nil
        }
    }

    func stringMap(_ name: String) -> [(key: String, value: String)]? {
        value(name)?.map?.compactMap { entry in entry.value.string.map { (entry.key, $0) } }
    }
}
