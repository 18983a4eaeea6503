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

    /// How many diagnostics are printed in full (with source excerpts); the rest are counted in one line.
    public static let maxShown = 100

    /// The first `maxShown` diagnostics, each followed by its notes, then a line counting the ones left
    /// out (all of them are in `-o json`), then the exact totals.
    ///
    /// Each file's line starts are indexed once, so the time is linear in the file sizes plus the output.
    public func render(_ diagnostics: [ManifestDiagnostic]) -> String {
        var lines = LineCache()
        var out = ""
        for diagnostic in diagnostics.prefix(Self.maxShown) {
            out += render(diagnostic, lines: &lines)
        }
        let errors = diagnostics.count { $0.severity == .error }
        let warnings = diagnostics.count - errors
        if diagnostics.count > Self.maxShown {
            let hidden = diagnostics.dropFirst(Self.maxShown)
            let hiddenErrors = hidden.count { $0.severity == .error }
            out += "… and " + Self.counts(errors: hiddenErrors, warnings: hidden.count - hiddenErrors, more: true)
            out += " (use -o json for all)\n"
        }
        if errors + warnings > 0 {
            out += Self.counts(errors: errors, warnings: warnings, more: false) + " generated.\n"
        }
        return out
    }

    /// "2 errors and 1 warning"; with `more`, "2 more errors and 1 more warning".
    private static func counts(errors: Int, warnings: Int, more: Bool) -> String {
        let word = more ? "more " : ""
        let parts = [
            errors > 0 ? plural(errors, word + "error") : nil, warnings > 0 ? plural(warnings, word + "warning") : nil,
        ]
        return parts.compactMap { $0 }.joined(separator: " and ")
    }

    public func render(_ diagnostic: ManifestDiagnostic) -> String {
        var lines = LineCache()
        return render(diagnostic, lines: &lines)
    }

    private func render(_ diagnostic: ManifestDiagnostic, lines: inout LineCache) -> String {
        let (label, color) = diagnostic.severity == .error ? ("error", "31") : ("warning", "35")
        var out = header(diagnostic.location, label: label, color: color)
        out += style(diagnostic.message, "1") + " " + style("[\(diagnostic.code.rawValue)]", "2") + "\n"
        out += excerpt(diagnostic.location, lines: &lines)
        for note in diagnostic.notes {
            if let location = note.location {
                out +=
                    header(location, label: "note", color: "36") + note.message + "\n"
                    + excerpt(location, lines: &lines)
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
    private func excerpt(_ location: SourceLocation, lines: inout LineCache) -> String {
        guard location.line > 0, let line = sourceLine(location.file, location.line, lines: &lines) else { return "" }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        // Copy tabs from the line so the caret lines up however the terminal expands them.
        let prefix = line.unicodeScalars.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        let available = max(1, line.unicodeScalars.count - (location.column - 1))
        let underline = "^" + String(repeating: "~", count: max(0, min(location.length, available) - 1))
        return " \(number) | \(line)\n \(gutter) | \(prefix)\(style(underline, "1;32"))\n"
    }

    /// Line `number` (1-based) of a file, from the file's line index (built on first use).
    private func sourceLine(_ file: String, _ number: Int, lines: inout LineCache) -> String? {
        guard let bytes = sources[file] else { return nil }
        let index = lines.index(file, bytes)
        guard let range = index.range(ofLine: number) else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Line indexes of the files rendered so far, keyed by path.
    private struct LineCache {
        private var indexes: [String: LineIndex] = [:]

        mutating func index(_ file: String, _ bytes: [UInt8]) -> LineIndex {
            if let index = indexes[file] { return index }
            let index = LineIndex(bytes)
            indexes[file] = index
            return index
        }
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
