/// A Raspberry Pi `/boot/firmware/config.txt` as lines that keep every byte: comments, blank lines,
/// each line's own terminator (LF, CRLF or none on a last line) and bytes that are not UTF-8.
///
/// `[filter]` lines open a section that runs until the next filter; lines before the first filter apply
/// to all models. `key=value` lines may repeat (`dtparam`, `dtoverlay`).
public struct ConfigTxt: Sendable, Hashable {
    /// One line: its bytes without the terminator, and the terminator itself.
    public struct Line: Sendable, Hashable {
        public var content: [UInt8]
        /// `\n`, `\r\n`, or empty on a last line without a newline.
        public var terminator: [UInt8]

        public init(content: [UInt8], terminator: [UInt8]) {
            self.content = content
            self.terminator = terminator
        }

        /// Builds a line from text.
        public init(_ text: String, terminator: [UInt8] = [0x0A]) {
            self.init(content: Array(text.utf8), terminator: terminator)
        }

        /// The content decoded as UTF-8 (invalid bytes repaired), without surrounding whitespace.
        public var trimmedText: String { HostText.trimmed(String(decoding: content, as: UTF8.self)) }

        /// The section name of a `[filter]` line, lower-cased (`all`, `pi4`, `gpio4=1`), or nil.
        public var filter: String? {
            let text = trimmedText
            guard text.first == "[", let close = text.firstIndex(of: "]") else { return nil }
            return HostText.trimmed(String(text[text.index(after: text.startIndex)..<close])).lowercased()
        }

        /// The key of a `key=value` line (text before the first `=`, trimmed), or nil for comments,
        /// filters, blank lines and lines without `=`.
        public var key: String? {
            let text = trimmedText
            guard !text.hasPrefix("#"), filter == nil, let equals = text.firstIndex(of: "=") else { return nil }
            let key = HostText.trimmed(String(text[..<equals]))
            return key.isEmpty ? nil : key
        }

        /// The value of a `key=value` line (text after the first `=`, trimmed), or nil.
        public var value: String? {
            guard key != nil else { return nil }
            let text = trimmedText
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return HostText.trimmed(String(text[text.index(after: equals)...]))
        }

        /// Whether the line holds only whitespace.
        public var isBlank: Bool { trimmedText.isEmpty }
    }

    /// A run of lines under one filter: `header` is the index of its `[filter]` line (nil for the lines
    /// before the first filter), `lines` the indices of the lines after it.
    public struct Region: Sendable, Hashable {
        public var name: String
        public var header: Int?
        public var lines: Range<Int>
    }

    public var lines: [Line]

    /// Splits `bytes` into lines; nil (a missing file) gives no lines.
    public init(_ bytes: [UInt8]?) {
        lines = []
        guard let bytes else { return }
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            let hasCR = index > start && bytes[index - 1] == 0x0D
            let end = hasCR ? index - 1 : index
            lines.append(Line(content: Array(bytes[start..<end]), terminator: hasCR ? [0x0D, 0x0A] : [0x0A]))
            start = index + 1
        }
        if start < bytes.count { lines.append(Line(content: Array(bytes[start...]), terminator: [])) }
    }

    /// Parses text (for tests and fixtures).
    public init(text: String) {
        self.init(Array(text.utf8))
    }

    /// The file's bytes: every line's content and terminator, in order.
    public var bytes: [UInt8] { lines.flatMap { $0.content + $0.terminator } }

    /// The file decoded as UTF-8 (invalid bytes repaired).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The sections in file order. Lines before the first filter form an `all` region when there are
    /// any, or when the file has no filter at all (an empty file is one empty `all` region).
    public var regions: [Region] {
        var regions: [Region] = []
        var name = "all"
        var header: Int? = nil
        var start = 0
        for (index, line) in lines.enumerated() {
            guard let filter = line.filter else { continue }
            if header != nil || index > 0 { regions.append(Region(name: name, header: header, lines: start..<index)) }
            name = filter
            header = index
            start = index + 1
        }
        regions.append(Region(name: name, header: header, lines: start..<lines.count))
        return regions
    }

    /// The values of `key` in `section` (lower-case name), in file order.
    public func values(of key: String, in section: String) -> [String] {
        regions.filter { $0.name == section.lowercased() }.flatMap { region in
            region.lines.compactMap { lines[$0].key == key ? lines[$0].value : nil }
        }
    }
}
