/// One libyaml parse event, copied out of C memory, with 1-based marks.
struct Event {
    /// What the event says, with its anchor and explicit tag where it has them.
    enum Kind {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case alias(anchor: String)
        case scalar(text: String, style: Scalar.Style, anchor: String?, tag: String?)
        case sequenceStart(anchor: String?, tag: String?)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?)
        case mappingEnd
    }

    var kind: Kind
    /// Where the event's text starts.
    var start: Mark
    /// Where the event's text ends (exclusive).
    var end: Mark
}
