import ChainbotCore
import ChainbotYAML

extension JSONValue {
    /// The same document as block YAML (for `-o yaml`): strings single-quoted so the core schema reads
    /// them back as strings, numbers, booleans and null plain; nil when libyaml's emitter failed.
    var yamlText: String? {
        var events: [YAMLEmitter.Event] = []
        appendYAMLEvents(to: &events)
        return YAMLEmitter.text(of: events)
    }

    private func appendYAMLEvents(to events: inout [YAMLEmitter.Event]) {
        switch self {
        case .null: events.append(.scalar("null", quoted: false))
        case .bool(let value): events.append(.scalar(value ? "true" : "false", quoted: false))
        case .int(let value): events.append(.scalar(String(value), quoted: false))
        case .double, .number: events.append(.scalar(serialized(), quoted: false))
        case .string(let text): events.append(.scalar(text, quoted: true))
        case .array(let items):
            events.append(.sequenceStart)
            for item in items { item.appendYAMLEvents(to: &events) }
            events.append(.sequenceEnd)
        case .object(let members):
            events.append(.mappingStart)
            for (key, value) in members {
                events.append(.scalar(key, quoted: false))
                value.appendYAMLEvents(to: &events)
            }
            events.append(.mappingEnd)
        }
    }
}
