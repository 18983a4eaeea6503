import ChainbotCore
import ChainbotYAML

/// Lists, maps and secret-or-text values.
extension ValueDecoder {
    func list(_ node: Node, item: FieldType, path: String) -> TypedValue? {
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

    func map(_ node: Node, key: StringFormat, value: FieldType, path: String) -> TypedValue? {
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

    func secretOrText(_ node: Node, path: String) -> TypedValue? {
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
