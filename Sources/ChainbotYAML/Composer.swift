/// Builds nodes from parse events with an explicit stack (no recursion, so nesting cannot exhaust the
/// call stack), enforcing the depth, document and alias-expansion limits.
///
/// Every node counts as it would after expanding all aliases: each anchor remembers the expanded size
/// and height of its node, and an alias adds them, so an alias bomb stops as soon as the count passes
/// `maxExpandedNodes`, long before its copies would exist.
struct Composer {
    /// An open sequence or mapping.
    private struct Frame {
        var isMapping: Bool
        var start: Mark
        var tag: String?
        var anchor: String?
        var items: [Node] = []
        var mapping = MappingBuilder()
        /// Nodes in the subtree after expanding aliases, this one included.
        var size = 1
        /// Levels of nesting in the subtree after expanding aliases, this one included.
        var height = 1
    }

    /// A node an alias can copy, with its expanded size and height.
    private struct Anchored {
        var node: Node
        var size: Int
        var height: Int
    }

    private let limits: YAMLLimits
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var root: Node?
    private var documents: [Node] = []
    private var problems: [YAMLProblem] = []
    private var documentCount = 0
    private var expandedNodes = 0
    private var sawAlias = false

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    /// Feeds one event; returns the fatal problem when composing must stop.
    mutating func consume(_ event: Event) -> YAMLProblem? {
        let span = Span(start: event.start, end: event.end)
        switch event.kind {
        case .streamStart, .streamEnd:
            return nil
        case .documentStart:
            documentCount += 1
            if documentCount > limits.maxDocuments {
                return YAMLProblem(
                    .tooManyDocuments, "the stream has more than \(limits.maxDocuments) documents", at: event.start)
            }
            anchors = [:]
            root = nil
            return nil
        case .documentEnd:
            // libyaml always emits a root node; the null is a guard, not a case it produces.
            let null = Scalar(text: "", style: .plain, value: .null)
            documents.append(root ?? Node(.scalar(null), start: event.start, end: event.start))
            root = nil
            return nil
        case .alias(let name):
            return alias(name, span: span)
        case .scalar(let text, let style, let anchor, let tag):
            return scalar(text, style: style, anchor: anchor, tag: tag, span: span)
        case .sequenceStart(let anchor, let tag):
            return open(isMapping: false, anchor: anchor, tag: tag, at: event.start)
        case .mappingStart(let anchor, let tag):
            return open(isMapping: true, anchor: anchor, tag: tag, at: event.start)
        case .sequenceEnd, .mappingEnd:
            close(at: event.end)
            return nil
        }
    }

    /// The documents composed so far and every problem in text order, `fatal` (if any) last.
    func finish(fatal: YAMLProblem?) -> YAMLStream {
        let ordered = problems.enumerated()
            .sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }
            .map(\.element)
        return YAMLStream(documents: documents, problems: ordered + (fatal.map { [$0] } ?? []))
    }

    private mutating func alias(_ name: String, span: Span) -> YAMLProblem? {
        // An anchor is defined when its node ends, so an alias inside that node finds at most an earlier one.
        if stack.contains(where: { $0.anchor == name }) {
            return YAMLProblem(
                .undefinedAlias,
                "alias '*\(name)' refers to the node that contains it; recursive aliases are not allowed",
                at: span.start, length: span.length)
        }
        guard let anchored = anchors[name] else {
            return YAMLProblem(
                .undefinedAlias, "alias '*\(name)' refers to no anchor '&\(name)' defined before it",
                at: span.start, length: span.length)
        }
        if stack.count + anchored.height > limits.maxDepth {
            return tooDeep(at: span.start)
        }
        sawAlias = true
        if let problem = count(anchored.size, at: span) {
            return problem
        }
        attach(anchored.node, span: span, size: anchored.size, height: anchored.height)
        return nil
    }

    private mutating func scalar(
        _ text: String, style: Scalar.Style, anchor: String?, tag: String?, span: Span
    ) -> YAMLProblem? {
        let value: ScalarValue
        switch TagResolver.scalarValue(text: text, style: style, tag: tag) {
        case .success(let resolved): value = resolved
        case .failure(let mismatch): return YAMLProblem(.syntax, mismatch.message, at: span.start, length: span.length)
        }
        let node = Node(
            .scalar(Scalar(text: text, style: style, value: value)), start: span.start, end: span.end, tag: tag)
        if let problem = count(1, at: span) {
            return problem
        }
        if let anchor {
            anchors[anchor] = Anchored(node: node, size: 1, height: 0)
        }
        attach(node, span: span, size: 1, height: 0)
        return nil
    }

    private mutating func open(isMapping: Bool, anchor: String?, tag: String?, at start: Mark) -> YAMLProblem? {
        if stack.count + 1 > limits.maxDepth {
            return tooDeep(at: start)
        }
        if let mismatch = TagResolver.collectionMismatch(tag: tag, isMapping: isMapping) {
            return YAMLProblem(.syntax, mismatch.message, at: start)
        }
        if let problem = count(1, at: Span(start: start, end: start)) {
            return problem
        }
        stack.append(Frame(isMapping: isMapping, start: start, tag: tag, anchor: anchor))
        return nil
    }

    private mutating func close(at end: Mark) {
        guard let frame = stack.popLast() else { return }
        let content: Node.Content = frame.isMapping ? .mapping(frame.mapping.pairs()) : .sequence(frame.items)
        let node = Node(content, start: frame.start, end: end, tag: frame.tag)
        if let anchor = frame.anchor {
            anchors[anchor] = Anchored(node: node, size: frame.size, height: frame.height)
        }
        attach(node, span: Span(start: frame.start, end: end), size: frame.size, height: frame.height)
    }

    /// Hands a finished node to the open collection, or makes it the document's root.
    private mutating func attach(_ node: Node, span: Span, size: Int, height: Int) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        stack[top].height = max(stack[top].height, height + 1)
        if stack[top].isMapping {
            problems += stack[top].mapping.add(node, writtenAt: span)
        } else {
            stack[top].items.append(node)
        }
    }

    /// Adds `nodes` to the expanded count; the problem when that passes the budget.
    private mutating func count(_ nodes: Int, at span: Span) -> YAMLProblem? {
        expandedNodes += nodes
        guard expandedNodes > limits.maxExpandedNodes else { return nil }
        let message =
            sawAlias
            ? "aliases expand to more than \(limits.maxExpandedNodes) nodes (alias bomb?)"
            : "the stream has more than \(limits.maxExpandedNodes) nodes"
        return YAMLProblem(.aliasBudget, message, at: span.start, length: span.length)
    }

    private func tooDeep(at mark: Mark) -> YAMLProblem {
        YAMLProblem(.tooDeep, "nesting is deeper than \(limits.maxDepth) levels", at: mark)
    }
}
