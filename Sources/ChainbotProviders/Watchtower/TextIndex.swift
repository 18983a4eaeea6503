import ChainbotYAML

/// Turns the composer's marks (1-based line, 1-based column in Unicode scalars) into byte offsets in
/// the UTF-8 text they came from, and finds the line edges around them.
struct TextIndex {
    private let bytes: [UInt8]
    /// Byte offset where each line starts; index 0 is line 1.
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// True when the text's first line break is `\r\n`.
    static func usesCRLF(_ bytes: [UInt8]) -> Bool {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return false }
        return newline > 0 && bytes[newline - 1] == UInt8(ascii: "\r")
    }

    /// The byte offset of `mark`, clamped to the text.
    func offset(of mark: Mark) -> Int {
        guard mark.line >= 1, mark.line <= lineStarts.count else { return bytes.count }
        var offset = lineStarts[mark.line - 1]
        var scalars = 0
        while offset < bytes.count, scalars < mark.column - 1 {
            offset += 1
            // A scalar's continuation bytes are 10xxxxxx.
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            scalars += 1
        }
        return offset
    }

    /// The offset just past the line break that ends the line holding `offset` (the text's end when the
    /// last line has none).
    func endOfLine(after offset: Int) -> Int {
        var cursor = offset
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\n") { cursor += 1 }
        return min(cursor + 1, bytes.count)
    }

    /// The start of the line holding `offset`.
    func startOfLine(at offset: Int) -> Int {
        var cursor = min(offset, bytes.count)
        while cursor > 0, bytes[cursor - 1] != UInt8(ascii: "\n") { cursor -= 1 }
        return cursor
    }

    /// How many spaces the line holding `offset` starts with.
    func indentation(at offset: Int) -> Int {
        var cursor = startOfLine(at: offset)
        var count = 0
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") {
            cursor += 1
            count += 1
        }
        return count
    }

    /// The start of the line holding the block list's `-` that introduces the item starting at `offset`,
    /// when only spaces precede that `-` on its line; nil for any other layout.
    func dash(before offset: Int) -> Int? {
        var cursor = offset
        while cursor > 0, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[cursor - 1]) {
            cursor -= 1
        }
        guard cursor > 0, bytes[cursor - 1] == UInt8(ascii: "-") else { return nil }
        let start = startOfLine(at: cursor - 1)
        guard bytes[start..<(cursor - 1)].allSatisfy({ $0 == UInt8(ascii: " ") }) else { return nil }
        return start
    }

    /// Where the line after `node`'s last content starts: the end of the line its last scalar ends on
    /// (keeping a trailing comment with it), or that scalar's end when it already stands at a line start
    /// (a block scalar, whose end libyaml puts after its last line).
    func endOffset(of node: Node) -> Int {
        let end = lastContentEnd(node)
        let offset = self.offset(of: end)
        if end.column == 1, end.line > node.start.line { return offset }
        return endOfLine(after: offset)
    }

    /// The mark after the node's last written character; an empty value (`key:`) ends at its key, since
    /// libyaml places an empty scalar at the next token.
    private func lastContentEnd(_ node: Node) -> Mark {
        switch node.content {
        case .scalar: return node.end
        case .sequence(let items):
            return items.last.map(lastContentEnd) ?? node.end
        case .mapping(let pairs):
            guard let last = pairs.last else { return node.end }
            if let scalar = last.value.scalar, scalar.text.isEmpty, scalar.style == .plain { return last.key.end }
            return max(lastContentEnd(last.key), lastContentEnd(last.value))
        }
    }
}
