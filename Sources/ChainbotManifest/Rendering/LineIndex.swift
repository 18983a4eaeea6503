/// Where each line of a file starts and ends, found in one pass, counting line breaks as libyaml does:
/// LF, CR, CR LF, and the YAML 1.1 breaks NEL (U+0085), LS (U+2028) and PS (U+2029).
///
/// A UTF-8 byte order mark at the very start is not part of line 1 (libyaml skips it before marking).
struct LineIndex {
    /// Byte ranges of the lines' text (without their line breaks); line 1 first.
    private var lines: [Range<Int>] = []

    init(_ bytes: [UInt8]) {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = start
        while index < bytes.count {
            let breakLength = DiagnosticRenderer.lineBreakLength(bytes, at: index)
            if breakLength == 0 {
                index += 1
                continue
            }
            lines.append(start..<index)
            index += breakLength
            start = index
        }
        lines.append(start..<max(start, bytes.count))
    }

    /// The byte range of line `number` (1-based), or nil past the end.
    func range(ofLine number: Int) -> Range<Int>? {
        guard number >= 1, number <= lines.count else { return nil }
        return lines[number - 1]
    }
}
