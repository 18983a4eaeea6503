internal import CYAML

/// Writes block-style YAML with libyaml's emitter: two-space indentation, no line wrapping, `\n` line
/// breaks, scalars plain where libyaml allows it and quoted where it does not (or where asked).
public enum YAMLEmitter {
    /// One emitter event: a scalar, or the start or end of a block sequence or mapping.
    public enum Event: Sendable, Hashable {
        /// A scalar; `quoted` asks for single quotes even where a plain scalar would do.
        case scalar(String, quoted: Bool)
        case sequenceStart
        case sequenceEnd
        case mappingStart
        case mappingEnd
    }

    /// The events as one YAML document without `---` or `...`; nil when libyaml refused one (an event
    /// sequence that is not well formed, or an allocation failure).
    public static func text(of events: [Event]) -> String? {
        let emitter = Emitter()
        var makers: [Emitter.EventMaker] = [
            { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) },
            { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) },
        ]
        makers += events.map(maker)
        makers.append { yaml_document_end_event_initialize(&$0, 1) }
        makers.append { yaml_stream_end_event_initialize(&$0) }
        return emitter.emit(makers)
    }

    private static func maker(_ event: Event) -> Emitter.EventMaker {
        switch event {
        case .scalar(let text, let quoted):
            return { event in
                var bytes = Array(text.utf8)
                return bytes.withUnsafeMutableBufferPointer { buffer in
                    yaml_scalar_event_initialize(
                        &event, nil, nil, buffer.baseAddress, Int32(buffer.count), quoted ? 0 : 1, 1,
                        quoted ? YAML_SINGLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
                }
            }
        case .sequenceStart:
            return { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) }
        case .sequenceEnd:
            return { yaml_sequence_end_event_initialize(&$0) }
        case .mappingStart:
            return { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) }
        case .mappingEnd:
            return { yaml_mapping_end_event_initialize(&$0) }
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

    /// Emits the events in order and returns the text; nil when libyaml refused one.
    func emit(_ events: [EventMaker]) -> String? {
        guard isInitialized else { return nil }
        for make in events {
            var event = yaml_event_t()
            // yaml_emitter_emit takes ownership of the event, also when it fails.
            guard make(&event) == 1, yaml_emitter_emit(emitter, &event) == 1 else { return nil }
        }
        guard yaml_emitter_flush(emitter) == 1 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
