/// Something wrong with a YAML text, with where it is.
///
/// Fatal problems (syntax, encoding, limits) end the parse of the stream; the others (duplicate keys,
/// bad merges, unsupported tags) are collected while composing continues.
public struct YAMLProblem: Error, Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case syntax
        case invalidEncoding
        case tabIndentation
        case tooDeep
        case tooManyDocuments
        case aliasBudget
        case undefinedAlias
        case duplicateKey
        case invalidMerge
        case fileTooLarge
    }

    public var kind: Kind
    public var message: String
    public var mark: Mark
    /// Columns the problem spans on its line, at least 1.
    public var length: Int
    /// Related places, e.g. where a duplicated key was first written.
    public var related: [Related]

    /// A place related to a problem, with a short message.
    public struct Related: Sendable, Hashable {
        public var message: String
        public var mark: Mark

        public init(_ message: String, at mark: Mark) {
            self.message = message
            self.mark = mark
        }
    }

    public init(_ kind: Kind, _ message: String, at mark: Mark, length: Int = 1, related: [Related] = []) {
        self.kind = kind
        self.message = message
        self.mark = mark
        self.length = max(1, length)
        self.related = related
    }

    /// Whether parsing stopped at this problem.
    public var isFatal: Bool {
        switch kind {
        case .duplicateKey, .invalidMerge: false
        default: true
        }
    }
}

/// Bounds that keep a hostile or broken file from costing unbounded time or memory.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest input accepted, in bytes.
    public var maxBytes: Int
    /// Deepest nesting of sequences and mappings accepted.
    public var maxDepth: Int
    /// Most documents accepted in one stream.
    public var maxDocuments: Int
    /// Most nodes a stream may compose to once every alias is counted as a full copy of its anchor.
    public var maxExpandedNodes: Int

    public init(maxBytes: Int, maxDepth: Int, maxDocuments: Int, maxExpandedNodes: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxDocuments = maxDocuments
        self.maxExpandedNodes = maxExpandedNodes
    }

    /// 8 MiB, 64 levels, 10,000 documents, 1,000,000 expanded nodes.
    public static let manifest = YAMLLimits(
        maxBytes: 8 << 20, maxDepth: 64, maxDocuments: 10_000, maxExpandedNodes: 1_000_000)
}

/// The documents of a YAML stream and the problems met while reading it.
public struct YAMLStream: Sendable {
    /// One root node per document, in order (an empty document is a null scalar).
    public var documents: [Node]
    /// Every problem, in text order; a fatal one is last.
    public var problems: [YAMLProblem]

    public init(documents: [Node], problems: [YAMLProblem]) {
        self.documents = documents
        self.problems = problems
    }
}
