public import ChainbotCore

/// Prints diagnostics compiler-style: `file:line:col: error: message [code]`, the source line, a caret
/// under the span, then the notes.
public struct DiagnosticRenderer: Sendable {
    /// Whether to use ANSI colors (only on a terminal, never with NO_COLOR).
    public var colored: Bool
    private var sources: [String: [UInt8]]

    public init(files: [ManifestFile], colored: Bool) {
        self.colored = colored
        self.sources = Dictionary(files.map { ($0.path, $0.bytes) }) { first, _ in first }
    }

    /// All diagnostics, each followed by its notes, then a one-line count.
    public func render(_ diagnostics: [ManifestDiagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics {
            out += render(diagnostic)
        }
        let errors = diagnostics.count { $0.severity == .error }
        let warnings = diagnostics.count - errors
        if errors + warnings > 0 {
            let parts = [
                errors > 0 ? Self.plural(errors, "error") : nil, warnings > 0 ? Self.plural(warnings, "warning") : nil,
            ]
            out += parts.compactMap { $0 }.joined(separator: " and ") + " generated.\n"
        }
        return out
    }

    public func render(_ diagnostic: ManifestDiagnostic) -> String {
        let (label, color) = diagnostic.severity == .error ? ("error", "31") : ("warning", "35")
        var out = header(diagnostic.location, label: label, color: color)
        out += style(diagnostic.message, "1") + " " + style("[\(diagnostic.code.rawValue)]", "2") + "\n"
        out += excerpt(diagnostic.location)
        for note in diagnostic.notes {
            if let location = note.location {
                out += header(location, label: "note", color: "36") + note.message + "\n" + excerpt(location)
            } else {
                out += style("note: ", "1;36") + note.message + "\n"
            }
        }
        return out
    }

    private func header(_ location: SourceLocation, label: String, color: String) -> String {
        let place = location.line > 0 ? location.description : location.file
        return style(place + ":", "1") + " " + style(label + ":", "1;" + color) + " "
    }

    /// The source line and a caret line, or nothing when the line is unknown.
    private func excerpt(_ location: SourceLocation) -> String {
        guard location.line > 0, let line = sourceLine(location.file, location.line) else { return "" }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        // Copy tabs from the line so the caret lines up however the terminal expands them.
        let prefix = line.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        let available = max(1, line.unicodeScalars.count - (location.column - 1))
        let underline = "^" + String(repeating: "~", count: max(0, min(location.length, available) - 1))
        return " \(number) | \(line)\n \(gutter) | \(prefix)\(style(underline, "1;32"))\n"
    }

    /// Line `number` (1-based) of a file, counting line breaks as libyaml does: LF, CR, CR LF, and the
    /// YAML 1.1 breaks NEL (U+0085), LS (U+2028) and PS (U+2029).
    private func sourceLine(_ file: String, _ number: Int) -> String? {
        guard let bytes = sources[file] else { return nil }
        var line = 1
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = start
        while index < bytes.count {
            let breakLength = Self.lineBreakLength(bytes, at: index)
            if breakLength == 0 {
                index += 1
                continue
            }
            if line == number { break }
            line += 1
            index += breakLength
            start = index
        }
        guard line == number, start <= bytes.count else { return nil }
        return String(decoding: bytes[start..<min(index, bytes.count)], as: UTF8.self)
    }

    /// How many bytes the line break at `index` takes, or 0 when there is none.
    static func lineBreakLength(_ bytes: [UInt8], at index: Int) -> Int {
        switch bytes[index] {
        case 0x0A: return 1
        case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            return index + 2 < bytes.count && bytes[index + 1] == 0x80
                && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
                ? 3 : 0
        default: return 0
        }
    }

    private func style(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// "1 error", "2 errors".
    public static func plural(_ count: Int, _ word: String) -> String {
        "\(count) \(word)\(count == 1 ? "" : "s")"
    }
}

extension ManifestDiagnostic {
    /// The diagnostic as the `-o json` object: file, line, column, severity, code, message, notes.
    public var json: JSONValue {
        .object([
            ("file", .string(location.file)), ("line", .int(location.line)), ("column", .int(location.column)),
            ("severity", .string(severity.rawValue)), ("code", .string(code.rawValue)), ("message", .string(message)),
            (
                "notes",
                .array(
                    notes.map { note in
                        var members: [(String, JSONValue)] = [("message", .string(note.message))]
                        if let location = note.location {
                            members += [
                                ("file", .string(location.file)), ("line", .int(location.line)),
                                ("column", .int(location.column)),
                            ]
                        }
                        return .object(members)
                    })
            ),
        ])
    }
}
