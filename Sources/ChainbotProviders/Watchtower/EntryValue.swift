import ChainbotYAML

/// A YAML value as the targets file holds it: scalars by their text, lists, and mappings in key order.
///
/// Both sides of a comparison go through this shape and the same emitter, so an entry written by hand
/// with other quoting or indentation compares equal to chainbot's rendering of the same values.
indirect enum EntryValue: Sendable, Hashable {
    case scalar(String)
    case list([EntryValue])
    case mapping([EntryField])

    /// The value a composed node holds (keys that are not scalars are written as their emitted text).
    init(_ node: Node) {
        switch node.content {
        case .scalar(let scalar): self = .scalar(scalar.text)
        case .sequence(let items): self = .list(items.map(EntryValue.init))
        case .mapping(let pairs):
            self = .mapping(
                pairs.map { pair in
                    let key = pair.key.scalar?.text ?? EntryValue(pair.key).yamlText(asListItem: false) ?? ""
                    return EntryField(key, EntryValue(pair.value))
                })
        }
    }

    /// The value of the first field named `key`, when this is a mapping.
    subscript(key: String) -> EntryValue? {
        guard case .mapping(let fields) = self else { return nil }
        return fields.first { $0.key == key }?.value
    }

    /// The text, when this is a scalar.
    var text: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }
}

/// One key and its value in a mapping.
struct EntryField: Sendable, Hashable {
    var key: String
    var value: EntryValue

    init(_ key: String, _ value: EntryValue) {
        self.key = key
        self.value = value
    }
}
