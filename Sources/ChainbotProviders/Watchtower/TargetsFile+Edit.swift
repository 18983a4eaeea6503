import ChainbotCore

extension TargetsFile {
    /// The comment a new file starts with.
    static let header =
        "# Watchtower monitoring targets. Entries marked 'managed_by: chainbot' are written by chainbot"
        + " from its manifests; the others are left as they are."

    /// The file with chainbot's entries set to `desired` (new ones appended in order), chainbot's entries
    /// named in `removing` taken out, and every other byte as it was. An entry whose values already
    /// match is left untouched too, however it is formatted.
    func rendering(_ desired: [(name: String, value: EntryValue)], removing: Set<String>) throws(ProviderError)
        -> [UInt8]
    {
        let index = TextIndex(bytes)
        let wanted = Dictionary(desired.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var edits: [(range: Range<Int>, text: [UInt8])] = []
        var seen: Set<String> = []
        for entry in entries {
            guard let name = entry.managedName else { continue }
            let isFirst = seen.insert(name).inserted
            if let want = wanted[name], isFirst {
                guard entry.value != want else { continue }
                let range = try editable(entry, name)
                edits.append((range, try items([want], indent: index.indentation(at: range.lowerBound))))
            } else if wanted[name] != nil || removing.contains(name) {
                // A second copy of one of chainbot's entries, or one whose resource left the manifests.
                edits.append((try editable(entry, name), []))
            }
        }
        let added = desired.filter { !seen.contains($0.name) }.map(\.value)
        if !added.isEmpty {
            switch list {
            case .block(let indent, let insertAt):
                edits.append((insertAt..<insertAt, lead(at: insertAt) + (try items(added, indent: indent))))
            case .empty(let indent, let valueRange, let insertAt):
                if !valueRange.isEmpty { edits.append((valueRange, [])) }
                edits.append((insertAt..<insertAt, lead(at: insertAt) + (try items(added, indent: indent))))
            case .missing:
                var text = lead(at: bytes.count)
                if bytes.isEmpty { text += Array((Self.header + lineBreak).utf8) }
                text += Array((Self.listKey + ":" + lineBreak).utf8) + (try items(added, indent: 2))
                edits.append((bytes.count..<bytes.count, text))
            case .flow(let line):
                throw ProviderError(
                    "\(path):\(line): cannot add targets to a flow-style list ('\(Self.listKey): [...]'); "
                        + "write it as a block list ('- ' items) and run again")
            }
        }
        var result = bytes
        // Back to front, so that earlier offsets stay valid; at one offset, a removal before an insertion.
        for edit in edits.sorted(by: { ($0.range.lowerBound, $0.range.count) > ($1.range.lowerBound, $1.range.count) })
        {
            result.replaceSubrange(edit.range, with: edit.text)
        }
        return result
    }

    private func editable(_ entry: Entry, _ name: String) throws(ProviderError) -> Range<Int> {
        guard let range = entry.range else {
            throw ProviderError(
                "\(path):\(entry.line): cannot edit chainbot's target '\(name)' in place; write the '\(Self.listKey)' "
                    + "list in block style, one '- ' item per target")
        }
        return range
    }

    /// A line break when `offset` is not at a line start.
    private func lead(at offset: Int) -> [UInt8] {
        offset > 0 && bytes[offset - 1] != UInt8(ascii: "\n") ? Array(lineBreak.utf8) : []
    }

    /// Block-list items for `values`, each line indented by `indent` spaces and ended by the file's break.
    private func items(_ values: [EntryValue], indent: Int) throws(ProviderError) -> [UInt8] {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        for value in values {
            guard let text = value.yamlText(asListItem: true) else {
                throw ProviderError("cannot write the targets of \(path): libyaml's emitter failed")
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                out += pad + line + lineBreak
            }
        }
        return Array(out.utf8)
    }
}
