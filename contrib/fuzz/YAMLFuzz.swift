// A libFuzzer target for ChainbotYAML. It is compiled together with the module's sources (see
// yaml-fuzz.sh), so it calls the parser directly and can check invariants no input may break.

/// Small limits, so that hostile inputs hit every limit quickly.
private let fuzzLimits = YAMLLimits(maxBytes: 64 << 10, maxDepth: 32, maxDocuments: 50, maxExpandedNodes: 20_000)

/// Parses one fuzzer input and traps (a finding) when the result breaks an invariant of `YAMLStream`.
@_cdecl("LLVMFuzzerTestOneInput")
public func yamlFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let stream = YAMLParser.parse(bytes, limits: fuzzLimits)
    checkProblems(stream.problems)
    precondition(stream.documents.count <= fuzzLimits.maxDocuments, "more documents than the limit")
    for document in stream.documents {
        checkNodes(document)
    }
    return 0
}

/// At most one fatal problem, and it is last; the others are in text order; every mark is 1-based.
private func checkProblems(_ problems: [YAMLProblem]) {
    let fatal = problems.filter(\.isFatal)
    precondition(fatal.count <= 1, "more than one fatal problem")
    if let last = fatal.first {
        precondition(problems.last == last, "the fatal problem is not last")
    }
    let nonFatal = problems.filter { !$0.isFatal }
    precondition(zip(nonFatal, nonFatal.dropFirst()).allSatisfy { $0.mark <= $1.mark }, "problems out of order")
    for problem in problems {
        precondition(problem.mark.line >= 1 && problem.mark.column >= 1, "problem mark not 1-based")
        precondition(problem.length >= 1, "problem length below 1")
        precondition(!problem.message.isEmpty, "empty problem message")
    }
}

/// Every node has 1-based marks, starts no later than it ends, and nests no deeper than the limit.
private func checkNodes(_ root: Node) {
    var pending: [(node: Node, depth: Int)] = [(root, 0)]
    while let (node, depth) = pending.popLast() {
        precondition(node.start.line >= 1 && node.start.column >= 1, "node mark not 1-based")
        precondition(node.start <= node.end, "node ends before it starts")
        switch node.content {
        case .scalar:
            break
        case .sequence(let items):
            precondition(depth + 1 <= fuzzLimits.maxDepth, "nesting deeper than the limit")
            pending += items.map { ($0, depth + 1) }
        case .mapping(let pairs):
            precondition(depth + 1 <= fuzzLimits.maxDepth, "nesting deeper than the limit")
            for pair in pairs {
                pending.append((pair.key, depth + 1))
                pending.append((pair.value, depth + 1))
            }
        }
    }
}
