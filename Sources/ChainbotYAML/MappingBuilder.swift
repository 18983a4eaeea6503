/// Collects a mapping's entries while it is composed.
///
/// Duplicate keys and bad merge values are reported as each entry completes, so problems come in text
/// order; merge keys `<<` are applied when the mapping ends, because an explicit key wins over a merged
/// one wherever it is written.
struct MappingBuilder {
    /// A `<<` entry: the mappings it merges (earliest first), and how many explicit pairs precede it.
    private struct Merge {
        var position: Int
        var sources: [Node]
    }

    /// The explicit pairs, duplicates left out.
    private var explicit: [Pair] = []
    private var merges: [Merge] = []
    private var pendingKey: (node: Node, span: Span)?
    /// Where each explicit scalar key was first written.
    private var firstKeys = KeyIndex()
    /// Where the first `<<` key was written.
    private var firstMergeKey: Mark?

    /// Adds the next key or value, and returns the non-fatal problems a completed entry causes.
    mutating func add(_ node: Node, writtenAt span: Span) -> [YAMLProblem] {
        guard let key = pendingKey else {
            pendingKey = (node, span)
            return []
        }
        pendingKey = nil
        if Self.isMergeKey(key.node) {
            return addMerge(node, valueSpan: span, keySpan: key.span)
        }
        if let identity = Self.identity(of: key.node),
            let first = firstKeys.insert(identity, at: key.span.start)
        {
            return [duplicate(key.node, at: key.span, first: first)]
        }
        explicit.append(Pair(key: key.node, value: node))
        return []
    }

    /// The mapping's pairs in written order, each merge's entries where its `<<` was.
    func pairs() -> [Pair] {
        guard !merges.isEmpty else { return explicit }
        var present = Set(explicit.compactMap { Self.identity(of: $0.key) })
        var pairs: [Pair] = []
        var next = 0
        for merge in merges {
            pairs += explicit[next..<merge.position]
            next = merge.position
            for source in merge.sources {
                for pair in source.mapping ?? [] {
                    if let identity = Self.identity(of: pair.key), !present.insert(identity).inserted {
                        continue
                    }
                    pairs.append(pair)
                }
            }
        }
        return pairs + explicit[next...]
    }

    private mutating func addMerge(_ value: Node, valueSpan: Span, keySpan: Span) -> [YAMLProblem] {
        if let first = firstMergeKey {
            return [
                YAMLProblem(
                    .duplicateKey, "duplicate key '<<'", at: keySpan.start, length: keySpan.length,
                    related: [.init("first defined here", at: first)])
            ]
        }
        firstMergeKey = keySpan.start
        switch value.content {
        case .mapping:
            merges.append(Merge(position: explicit.count, sources: [value]))
            return []
        case .sequence(let items):
            var problems: [YAMLProblem] = []
            let sources = items.filter { item in
                guard item.mapping == nil else { return true }
                problems.append(
                    YAMLProblem(
                        .invalidMerge, "a merge list may hold only mappings; this is \(item.kindDescription)",
                        at: item.start))
                return false
            }
            merges.append(Merge(position: explicit.count, sources: sources))
            return problems
        case .scalar:
            return [
                YAMLProblem(
                    .invalidMerge,
                    "the merge key '<<' needs a mapping or a list of mappings, not \(value.kindDescription)",
                    at: valueSpan.start, length: valueSpan.length)
            ]
        }
    }

    private func duplicate(_ key: Node, at span: Span, first: Mark) -> YAMLProblem {
        YAMLProblem(
            .duplicateKey, "duplicate key '\(key.scalar?.text ?? "")'", at: span.start, length: span.length,
            related: [.init("first defined here", at: first)])
    }

    /// A plain, untagged `<<`.
    private static func isMergeKey(_ key: Node) -> Bool {
        guard key.tag == nil, let scalar = key.scalar else { return false }
        return scalar.style == .plain && scalar.text == "<<"
    }

    /// What makes two keys the same: a scalar's resolved value; nil for sequences and mappings, which
    /// are not checked for duplicates.
    private static func identity(of key: Node) -> ScalarValue? {
        key.scalar?.value
    }
}
