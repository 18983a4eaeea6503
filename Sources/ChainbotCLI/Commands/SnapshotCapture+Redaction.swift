/// What a snapshot withholds: the values of secret-looking environment assignments in unit files.
extension SnapshotCapture {
    /// `text` with the values of secret-looking `Environment=` assignments replaced by `REDACTED`, and the
    /// names replaced. Assignments are split as systemd splits them: on spaces outside quotes.
    static func redacted(_ text: String) -> (String, [String]) {
        var names: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let indent = line.prefix { $0 == " " || $0 == "\t" }
            let trimmed = line.dropFirst(indent.count)
            guard trimmed.hasPrefix("Environment=") else { return String(line) }
            let words = assignments(trimmed.dropFirst("Environment=".count)).map { word -> String in
                let quote = word.first == "\"" || word.first == "'" ? String(word.prefix(1)) : ""
                guard let equals = word.firstIndex(of: "=") else { return word }
                let name = String(word[word.index(word.startIndex, offsetBy: quote.count)..<equals])
                guard looksSecret(name) else { return word }
                names.append(name)
                return word[...equals] + "REDACTED" + quote
            }
            return indent + "Environment=" + words.joined(separator: " ")
        }
        return (lines.joined(separator: "\n"), names)
    }

    /// The space-separated words of an `Environment=` value, quotes kept, spaces inside quotes kept.
    static func assignments(_ value: Substring) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        for character in value {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
            } else if character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                if character == "\"" || character == "'" { quote = character }
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func looksSecret(_ name: some StringProtocol) -> Bool {
        let upper = name.uppercased()
        return ["SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "PRIVATE", "AUTH"].contains {
            upper.contains($0)
        }
    }
}
