import ChainbotYAML
import Testing

/// Parses `text` as UTF-8 under `limits`.
func parse(_ text: String, limits: YAMLLimits = .manifest) -> YAMLStream {
    YAMLParser.parse(Array(text.utf8), limits: limits)
}

/// The only document of `text`, which must parse without problems.
func document(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Node {
    let stream = parse(text)
    #expect(stream.problems == [], sourceLocation: sourceLocation)
    #expect(stream.documents.count == 1, sourceLocation: sourceLocation)
    return try #require(stream.documents.first, sourceLocation: sourceLocation)
}

/// Limits like `.manifest` with the given bounds replaced.
func limits(
    maxBytes: Int = YAMLLimits.manifest.maxBytes, maxDepth: Int = YAMLLimits.manifest.maxDepth,
    maxDocuments: Int = YAMLLimits.manifest.maxDocuments,
    maxExpandedNodes: Int = YAMLLimits.manifest.maxExpandedNodes
) -> YAMLLimits {
    YAMLLimits(
        maxBytes: maxBytes, maxDepth: maxDepth, maxDocuments: maxDocuments, maxExpandedNodes: maxExpandedNodes)
}

extension Node {
    /// The scalar's resolved value, or nil for a sequence or mapping.
    var value: ScalarValue? { scalar?.value }

    /// The mapping's keys as text, in order.
    var keys: [String] { mapping?.map { $0.key.scalar?.text ?? "?" } ?? [] }
}
