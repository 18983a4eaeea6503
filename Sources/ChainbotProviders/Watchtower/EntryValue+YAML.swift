import ChainbotYAML

extension EntryValue {
    /// Plain words that YAML 1.1 reads as booleans or null.
    static let yaml11Words: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ]

    /// The value as one YAML document without `---`: a mapping as `key: value` lines, or, with
    /// `asListItem`, as one item of a block list (`- key: value`, the next keys indented by two); nil when
    /// libyaml's emitter failed.
    func yamlText(asListItem: Bool) -> String? {
        var events: [YAMLEmitter.Event] = []
        if asListItem { events.append(.sequenceStart) }
        appendEvents(to: &events)
        if asListItem { events.append(.sequenceEnd) }
        return YAMLEmitter.text(of: events)
    }

    private func appendEvents(to events: inout [YAMLEmitter.Event]) {
        switch self {
        case .scalar(let text):
            // Watchtower reads YAML 1.1, where `on`, `no` or `y` are booleans: such words are quoted.
            events.append(.scalar(text, quoted: Self.yaml11Words.contains(text.lowercased())))
        case .list(let items):
            events.append(.sequenceStart)
            for item in items { item.appendEvents(to: &events) }
            events.append(.sequenceEnd)
        case .mapping(let fields):
            events.append(.mappingStart)
            for field in fields {
                EntryValue.scalar(field.key).appendEvents(to: &events)
                field.value.appendEvents(to: &events)
            }
            events.append(.mappingEnd)
        }
    }
}
