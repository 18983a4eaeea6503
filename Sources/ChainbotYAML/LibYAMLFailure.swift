internal import CYAML

/// The error libyaml reported, copied out of its parser: which stage failed, its problem and context.
struct LibYAMLFailure: Error {
    /// The libyaml stage that failed.
    enum Stage {
        /// Decoding bytes to characters; `problemOffset` is a byte offset, the marks are unset.
        case reader
        /// Tokenizing; `problemMark` points at the offending character.
        case scanner
        /// Building events from tokens.
        case parser
        /// An allocation failed.
        case memory
    }

    var stage: Stage
    /// libyaml's description of what is wrong, e.g. "did not find expected key".
    var problem: String
    /// Where the problem is (1-based), for scanner and parser errors.
    var problemMark: Mark
    /// Byte offset of the problem, for reader errors.
    var problemOffset: Int
    /// The offending octet or code point, for reader errors; -1 when there is none.
    var problemValue: Int
    /// What libyaml was doing, e.g. "while parsing a block mapping", when it says.
    var context: String?
    /// Where that context starts (1-based).
    var contextMark: Mark?

    /// A failure to start libyaml at all.
    static let outOfMemory = LibYAMLFailure(
        stage: .memory, problem: "libyaml could not allocate memory", problemMark: Mark(line: 1, column: 1),
        problemOffset: 0, problemValue: -1, context: nil, contextMark: nil)

    init(
        stage: Stage, problem: String, problemMark: Mark, problemOffset: Int, problemValue: Int, context: String?,
        contextMark: Mark?
    ) {
        self.stage = stage
        self.problem = problem
        self.problemMark = problemMark
        self.problemOffset = problemOffset
        self.problemValue = problemValue
        self.context = context
        self.contextMark = contextMark
    }

    /// Copies the error state of a parser whose `yaml_parser_parse` just failed.
    init(_ parser: yaml_parser_t) {
        switch parser.error {
        case YAML_READER_ERROR: stage = .reader
        case YAML_SCANNER_ERROR: stage = .scanner
        case YAML_MEMORY_ERROR: stage = .memory
        default: stage = .parser
        }
        problem = parser.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        problemMark = Mark(parser.problem_mark)
        problemOffset = parser.problem_offset
        problemValue = Int(parser.problem_value)
        if let context = parser.context {
            self.context = String(cString: context)
            contextMark = Mark(parser.context_mark)
        } else {
            context = nil
            contextMark = nil
        }
    }
}
