import ChainbotCore
import ChainbotYAML

/// Watchtower's targets file as read: its bytes, the `targets` list, and each entry with the byte range
/// it covers, so that chainbot can replace its own entries and leave every other byte as it was.
///
/// The file is a mapping whose `targets` key holds a block list of mappings. Entries whose `managed_by`
/// is `chainbot` are chainbot's, identified by `name`; every other entry, comment and blank line is
/// someone else's.
struct TargetsFile: Sendable {
    /// The key of the list of targets.
    static let listKey = "targets"
    /// The field and value that mark an entry as chainbot's.
    static let markerKey = "managed_by"
    static let marker = "chainbot"

    /// One item of the `targets` list.
    struct Entry: Sendable {
        var value: EntryValue
        /// The entry's `name` when chainbot manages it, else nil.
        var managedName: String?
        /// From the start of the line holding the item's `-` to the end of the line its content ends on
        /// (line break included); nil when the item cannot be edited in place (written in flow style).
        var range: Range<Int>?
        /// 1-based line of the item, for messages.
        var line: Int
    }

    /// Where the list is and where new entries go.
    enum List: Sendable {
        /// A block list: items start `indent` spaces in; new entries are inserted at `insertAt`.
        case block(indent: Int, insertAt: Int)
        /// `targets:` with no items (empty, `~`, `null` or `[]`): `valueRange` is removed and entries
        /// go after the key's line at `indent`.
        case empty(indent: Int, valueRange: Range<Int>, insertAt: Int)
        /// No `targets` key (or no file): the key and the entries are appended at the end.
        case missing
        /// A flow list with items (`targets: [{...}]`): readable, not editable.
        case flow(line: Int)
    }

    var path: String
    var bytes: [UInt8]
    var entries: [Entry]
    var list: List
    /// `\r\n` when the file already uses it, else `\n`.
    var lineBreak: String

    /// An empty file that does not exist yet.
    init(missingAt path: String) {
        self.path = path
        bytes = []
        entries = []
        list = .missing
        lineBreak = "\n"
    }

    /// Parses `bytes`; a problem is an error naming `path`, the 1-based line and column, and what is wrong.
    init(path: String, bytes: [UInt8]) throws(ProviderError) {
        self.path = path
        self.bytes = bytes
        lineBreak = TextIndex.usesCRLF(bytes) ? "\r\n" : "\n"
        let stream = YAMLParser.parse(bytes)
        if let problem = stream.problems.first {
            throw Self.error(path, problem.mark, problem.message)
        }
        guard stream.documents.count <= 1 else {
            throw Self.error(path, stream.documents[1].start, "more than one YAML document; expected one mapping")
        }
        entries = []
        let index = TextIndex(bytes)
        guard let root = stream.documents.first, root.scalar?.value != .null else {
            list = .missing
            return
        }
        guard let pairs = root.mapping else {
            throw Self.error(
                path, root.start, "expected a mapping with a '\(Self.listKey)' list, found \(root.kindDescription)")
        }
        guard let pair = pairs.first(where: { $0.key.scalar?.text == Self.listKey }) else {
            list = .missing
            return
        }
        let value = pair.value
        let keyIndent = pair.key.start.column - 1
        let afterKey = index.endOfLine(after: index.offset(of: pair.key.end))
        if let scalar = value.scalar, scalar.value == .null {
            let range =
                scalar.text.isEmpty ? afterKey..<afterKey : index.offset(of: value.start)..<index.offset(of: value.end)
            list = .empty(indent: keyIndent + 2, valueRange: range, insertAt: afterKey)
            return
        }
        guard let items = value.sequence else {
            throw Self.error(
                path, value.start, "'\(Self.listKey)' must be a list of targets, found \(value.kindDescription)")
        }
        let flow = bytes[index.offset(of: value.start)] == UInt8(ascii: "[")
        if items.isEmpty {
            let range = flow ? index.offset(of: value.start)..<index.offset(of: value.end) : afterKey..<afterKey
            list = .empty(indent: keyIndent + 2, valueRange: range, insertAt: afterKey)
            return
        }
        for item in items {
            entries.append(try Self.entry(item, flow: flow, index: index, path: path))
        }
        if flow {
            list = .flow(line: value.start.line)
        } else {
            // A block list starts at its first `-`; new items go after the last item's last line.
            list = .block(indent: value.start.column - 1, insertAt: index.endOffset(of: items[items.count - 1]))
        }
    }

    private static func entry(_ item: Node, flow: Bool, index: TextIndex, path: String) throws(ProviderError)
        -> Entry
    {
        let value = EntryValue(item)
        var name: String?
        if value[markerKey]?.text == marker {
            guard let text = value["name"]?.text, !text.isEmpty else {
                throw error(path, item.start, "a target marked '\(markerKey): \(marker)' has no 'name'")
            }
            name = text
        }
        var range: Range<Int>?
        if !flow, let dash = index.dash(before: index.offset(of: item.start)) {
            range = dash..<index.endOffset(of: item)
        }
        return Entry(value: value, managedName: name, range: range, line: item.start.line)
    }

    /// The entries chainbot manages, by name (the first of any duplicates).
    var managed: [String: Entry] {
        var result: [String: Entry] = [:]
        for entry in entries {
            if let name = entry.managedName, result[name] == nil { result[name] = entry }
        }
        return result
    }

    static func error(_ path: String, _ mark: Mark, _ message: String) -> ProviderError {
        ProviderError("\(path):\(mark.line):\(mark.column): invalid Watchtower targets file: \(message)")
    }
}
