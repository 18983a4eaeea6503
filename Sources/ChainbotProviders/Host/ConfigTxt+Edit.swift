public import ChainbotCore

extension ConfigTxt {
    /// Sets the chainbot-owned keys of each section and keeps every other byte as it is.
    ///
    /// For each entry, the lines of that key in that section (every region with the section's name) are
    /// replaced by one `key=value` line per value, in order, where the first of them stood; a key not yet
    /// in the section is appended after the section's last non-blank line; a section not yet in the file
    /// is appended as `[section]` after a blank line. A key whose values already match, in order, is left
    /// untouched; a key with no values is removed. Returns whether any byte changed (a reboot is needed
    /// for the firmware to read it).
    @discardableResult
    public mutating func apply(_ sections: [BootConfigSection]) -> Bool {
        let before = bytes
        let endsWithoutNewline = lines.last?.terminator.isEmpty == true
        for section in sections {
            for entry in section.entries { set(entry, in: section.section.lowercased()) }
        }
        // A former last line without a newline may now have lines after it; the file keeps its ending.
        let terminator = preferredTerminator(near: nil)
        for index in lines.indices.dropLast() where lines[index].terminator.isEmpty {
            lines[index].terminator = terminator
        }
        if endsWithoutNewline, let last = lines.indices.last { lines[last].terminator = [] }
        return bytes != before
    }

    /// The bytes of `file` (nil: missing) with `sections` applied, and whether they differ from the file.
    public static func edited(_ file: [UInt8]?, applying sections: [BootConfigSection]) -> (
        bytes: [UInt8], changed: Bool
    ) {
        var config = ConfigTxt(file)
        let changed = config.apply(sections)
        return (config.bytes, changed)
    }

    private mutating func set(_ entry: BootConfigEntry, in section: String) {
        let regions = regions.filter { $0.name == section }
        let existing = regions.flatMap { region in region.lines.filter { lines[$0].key == entry.key } }
        if existing.map({ lines[$0].value ?? "" }) == entry.values { return }
        let terminator = preferredTerminator(near: existing.first)
        let wanted = entry.values.map { Line("\(entry.key)=\($0)", terminator: terminator) }
        if let first = existing.first {
            for index in existing.reversed() { lines.remove(at: index) }
            lines.insert(contentsOf: wanted, at: first)
        } else if let region = regions.last {
            let lastContent = region.lines.last(where: { !lines[$0].isBlank })
            lines.insert(contentsOf: wanted, at: (lastContent ?? region.header ?? (region.lines.lowerBound - 1)) + 1)
        } else if !wanted.isEmpty {
            let separator = lines.isEmpty || lines.last?.isBlank == true ? [] : [Line("", terminator: terminator)]
            let header = Line("[\(section)]", terminator: terminator)
            lines.insert(contentsOf: separator + [header] + wanted, at: lines.count)
        }
    }

    /// The terminator of the line at `index` when it has one, else the file's first, else LF.
    private func preferredTerminator(near index: Int?) -> [UInt8] {
        if let index, index < lines.count, !lines[index].terminator.isEmpty { return lines[index].terminator }
        return lines.first(where: { !$0.terminator.isEmpty })?.terminator ?? [0x0A]
    }
}
