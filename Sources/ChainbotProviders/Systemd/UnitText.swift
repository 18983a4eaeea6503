/// The one normalization applied to unit and drop-in text, both as rendered and as read from disk, so
/// that spelling differences systemd ignores never show up as drift.
enum UnitText {
    /// The text with CRLF line ends turned into LF, trailing spaces, tabs and carriage returns removed
    /// from every line, trailing blank lines dropped, and exactly one final newline ("" stays "").
    static func normalize(_ text: String) -> String {
        var lines: [[UInt8]] = [[]]
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                lines.append([])
            } else {
                lines[lines.count - 1].append(byte)
            }
        }
        for index in lines.indices {
            while let last = lines[index].last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == 0x0d
            {
                lines[index].removeLast()
            }
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        if lines.isEmpty { return "" }
        var out: [UInt8] = []
        for line in lines {
            out += line
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes read from disk, decoded as UTF-8 (invalid bytes repaired) and normalized.
    static func normalize(_ bytes: [UInt8]) -> String {
        normalize(String(decoding: bytes, as: UTF8.self))
    }
}
