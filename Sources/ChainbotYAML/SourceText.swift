/// Finds positions in the raw input the way libyaml counts them.
///
/// Lines break at LF, CR, CRLF, NEL, LS and PS (YAML 1.1 line breaks, as libyaml reads them); columns
/// count Unicode scalars; a UTF-8 byte order mark at the very start is not counted (libyaml's reader
/// skips it before the first mark).
struct SourceText {
    let bytes: [UInt8]

    /// Where line 1 starts: after a leading UTF-8 byte order mark, if there is one.
    var firstLineOffset: Int {
        bytes.starts(with: SourceText.utf8ByteOrderMark) ? 3 : 0
    }

    /// Bytes that may come before a tab for the tab to count as indentation.
    private static let indentationBytes: Set<UInt8> = [
        UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"),
    ]

    /// The UTF-8 encoding of U+FEFF.
    static let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The 1-based mark of the character that starts at byte `offset` (or of the end of the text).
    func mark(atByteOffset offset: Int) -> Mark {
        var cursor = Cursor(offset: firstLineOffset)
        while cursor.offset < min(offset, bytes.count) {
            advance(&cursor)
        }
        return Mark(line: cursor.line, column: cursor.column)
    }

    /// Whether the character at `mark` is a tab in a line's indentation: only spaces, tabs and block
    /// indicators (`-`, `?`, `:`, which libyaml counts as indentation) come before it on its line.
    func isIndentationTab(at mark: Mark) -> Bool {
        var cursor = Cursor(offset: firstLineOffset)
        var lineStart = cursor.offset
        while cursor.offset < bytes.count, (cursor.line, cursor.column) < (mark.line, mark.column) {
            advance(&cursor)
            if cursor.column == 1 {
                lineStart = cursor.offset
            }
        }
        guard cursor.offset < bytes.count, cursor.line == mark.line, cursor.column == mark.column,
            bytes[cursor.offset] == UInt8(ascii: "\t")
        else {
            return false
        }
        return bytes[lineStart..<cursor.offset].allSatisfy(Self.indentationBytes.contains)
    }

    /// The Unicode scalar encoded at byte `offset`, or nil when the bytes there are not valid UTF-8.
    func scalar(atByteOffset offset: Int) -> Unicode.Scalar? {
        guard offset >= 0, offset < bytes.count else { return nil }
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return scalar
        }
        return nil
    }

    /// A position while walking the text: byte offset and 1-based line and column.
    private struct Cursor {
        var offset: Int
        var line = 1
        var column = 1
    }

    /// Moves `cursor` past one character or one line break.
    private func advance(_ cursor: inout Cursor) {
        let breakWidth = lineBreakWidth(at: cursor.offset)
        if breakWidth > 0 {
            cursor.offset += breakWidth
            cursor.line += 1
            cursor.column = 1
        } else {
            cursor.offset += characterWidth(leadingByte: bytes[cursor.offset])
            cursor.column += 1
        }
    }

    /// How many bytes the line break at `offset` takes, or 0 when there is none.
    private func lineBreakWidth(at offset: Int) -> Int {
        switch bytes[offset] {
        case 0x0A:
            return 1
        case 0x0D:
            return offset + 1 < bytes.count && bytes[offset + 1] == 0x0A ? 2 : 1
        case 0xC2 where offset + 1 < bytes.count && bytes[offset + 1] == 0x85:
            return 2
        case 0xE2
        where offset + 2 < bytes.count && bytes[offset + 1] == 0x80
            && (bytes[offset + 2] == 0xA8 || bytes[offset + 2] == 0xA9):
            return 3
        default:
            return 0
        }
    }

    /// How many bytes a UTF-8 sequence takes, judged by its leading byte; 1 for a stray byte.
    private func characterWidth(leadingByte byte: UInt8) -> Int {
        switch byte {
        case 0xC0...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF7: 4
        default: 1
        }
    }
}
