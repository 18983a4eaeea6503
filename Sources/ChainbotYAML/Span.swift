/// Where a node was written in the text: for an alias, the alias itself, not its anchored node.
struct Span {
    var start: Mark
    var end: Mark

    /// Columns the span covers when it sits on one line, else 1.
    var length: Int {
        start.line == end.line ? max(1, end.column - start.column) : 1
    }
}
