internal import CYAML

/// Owns a libyaml parser over a private copy of the input and hands out its events one at a time.
///
/// The parser and the input buffer are freed in `deinit`. After a failure or the end of the stream,
/// the reader reports the same outcome again rather than touching libyaml.
final class EventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let isInitialized: Bool
    private var finished: Result<Event, LibYAMLFailure>?

    /// Prepares a parser over a copy of `bytes`; libyaml keeps a pointer to the input, so it must not move.
    init(_ bytes: [UInt8]) {
        parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
        _ = input.initialize(from: bytes)
        isInitialized = yaml_parser_initialize(parser) == 1
        if isInitialized, let base = input.baseAddress {
            yaml_parser_set_input_string(parser, base, bytes.count)
        }
    }

    deinit {
        if isInitialized {
            yaml_parser_delete(parser)
        }
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, or libyaml's failure; after `streamEnd` or a failure, that outcome repeats.
    func next() -> Result<Event, LibYAMLFailure> {
        if let finished {
            return finished
        }
        guard isInitialized else {
            return finish(.failure(.outOfMemory))
        }
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else {
            return finish(.failure(LibYAMLFailure(parser.pointee)))
        }
        defer { yaml_event_delete(&raw) }
        let event = Event(raw)
        if case .streamEnd = event.kind {
            return finish(.success(event))
        }
        return .success(event)
    }

    private func finish(_ outcome: Result<Event, LibYAMLFailure>) -> Result<Event, LibYAMLFailure> {
        finished = outcome
        return outcome
    }
}

extension Event {
    /// Copies a libyaml event; libyaml's `YAML_NO_EVENT` (sent after the stream ended) reads as `streamEnd`.
    init(_ raw: yaml_event_t) {
        start = Mark(raw.start_mark)
        end = Mark(raw.end_mark)
        switch raw.type {
        case YAML_STREAM_START_EVENT:
            kind = .streamStart
        case YAML_DOCUMENT_START_EVENT:
            kind = .documentStart
        case YAML_DOCUMENT_END_EVENT:
            kind = .documentEnd
        case YAML_ALIAS_EVENT:
            kind = .alias(anchor: string(raw.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            } else {
                text = ""
            }
            kind = .scalar(
                text: text, style: Scalar.Style(scalar.style), anchor: string(scalar.anchor), tag: string(scalar.tag))
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart(
                anchor: string(raw.data.sequence_start.anchor), tag: string(raw.data.sequence_start.tag))
        case YAML_SEQUENCE_END_EVENT:
            kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart(
                anchor: string(raw.data.mapping_start.anchor), tag: string(raw.data.mapping_start.tag))
        case YAML_MAPPING_END_EVENT:
            kind = .mappingEnd
        default:
            kind = .streamEnd
        }
    }
}

extension Mark {
    /// Converts libyaml's 0-based mark to a 1-based one; the only place that adds 1.
    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

extension Scalar.Style {
    /// Maps libyaml's scalar style; libyaml's "any" style never appears in parse events and reads as plain.
    init(_ style: yaml_scalar_style_t) {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: self = .literal
        case YAML_FOLDED_SCALAR_STYLE: self = .folded
        default: self = .plain
        }
    }
}

/// Copies a NUL-terminated libyaml string (anchor or tag), or nil when libyaml gave none.
private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
}
