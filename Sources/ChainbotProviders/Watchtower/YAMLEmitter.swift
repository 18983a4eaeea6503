internal import CYAML

/// Writes `EntryValue`s as block-style YAML with libyaml's emitter: two-space indentation, no line
/// wrapping, `\n` line breaks, scalars plain where libyaml allows it and quoted where it does not.
enum YAMLEmitter {
    /// The value as one YAML document without `---`: a mapping as `key: value` lines, or, with
    /// `asListItem`, as one item of a block list (`- key: value`, the next keys indented by two).
    static func text(of value: EntryValue, asListItem: Bool) -> String {
        let emitter = Emitter()
        var events: [Emitter.EventMaker] = [
            { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) },
            { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) },
        ]
        if asListItem {
            events.append { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
        }
        append(value, to: &events)
        if asListItem { events.append { yaml_sequence_end_event_initialize(&$0) } }
        events.append { yaml_document_end_event_initialize(&$0, 1) }
        events.append { yaml_stream_end_event_initialize(&$0) }
        return emitter.emit(events)
    }

    /// Plain words that YAML 1.1 reads as booleans or null.
    static let yaml11Words: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ]

    private static func append(_ value: EntryValue, to events: inout [Emitter.EventMaker]) {
        switch value {
        case .scalar(let text):
            // Watchtower reads YAML 1.1, where `on`, `no` or `y` are booleans: such words are quoted.
            let quoted = yaml11Words.contains(text.lowercased())
            events.append { event in
                var bytes = Array(text.utf8)
                return bytes.withUnsafeMutableBufferPointer { buffer in
                    yaml_scalar_event_initialize(
                        &event, nil, nil, buffer.baseAddress, Int32(buffer.count), quoted ? 0 : 1, 1,
                        quoted ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
                }
            }
        case .list(let items):
            events.append { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
            for item in items { append(item, to: &events) }
            events.append { yaml_sequence_end_event_initialize(&$0) }
        case .mapping(let fields):
            events.append { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
            for field in fields {
                append(.scalar(field.key), to: &events)
                append(field.value, to: &events)
            }
            events.append { yaml_mapping_end_event_initialize(&$0) }
        }
    }
}

/// Owns a libyaml emitter writing into a byte buffer; the emitter is freed in `deinit`.
private final class Emitter {
    /// Initializes one event in place; returns libyaml's 1 for success.
    typealias EventMaker = (inout yaml_event_t) -> Int32

    private let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
    private let isInitialized: Bool
    fileprivate var output: [UInt8] = []

    init() {
        isInitialized = yaml_emitter_initialize(emitter) == 1
        guard isInitialized else { return }
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)
        yaml_emitter_set_output(
            emitter,
            { context, buffer, size in
                guard let context, let buffer else { return 0 }
                let owner = Unmanaged<Emitter>.fromOpaque(context).takeUnretainedValue()
                owner.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        if isInitialized { yaml_emitter_delete(emitter) }
        emitter.deallocate()
    }

    /// Emits the events in order and returns the text; empty when libyaml refused one (only for an
    /// allocation failure: every event sequence this file builds is well formed).
    func emit(_ events: [EventMaker]) -> String {
        guard isInitialized else { return "" }
        for make in events {
            var event = yaml_event_t()
            // yaml_emitter_emit takes ownership of the event, also when it fails.
            guard make(&event) == 1, yaml_emitter_emit(emitter, &event) == 1 else { return "" }
        }
        _ = yaml_emitter_flush(emitter)
        return String(decoding: output, as: UTF8.self)
    }
}
