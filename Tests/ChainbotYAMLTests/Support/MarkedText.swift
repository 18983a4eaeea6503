import ChainbotYAML

/// YAML text with keycap markers (`1️⃣` … `9️⃣`) saying where a mark must point; the markers are removed.
///
/// Marks count lines and Unicode scalars from 1, as the parser does, so no test counts columns by hand.
struct MarkedText {
    /// The text without its markers.
    let text: String
    private let marks: [Int: Mark]

    init(_ marked: String) {
        let scalars = Array(marked.unicodeScalars)
        var text = String.UnicodeScalarView()
        var marks: [Int: Mark] = [:]
        var line = 1
        var column = 1
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if index + 2 < scalars.count, scalars[index + 1] == "\u{FE0F}", scalars[index + 2] == "\u{20E3}",
                let digit = Int(String(scalar))
            {
                marks[digit] = Mark(line: line, column: column)
                index += 3
                continue
            }
            text.append(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        self.text = String(text)
        self.marks = marks
    }

    /// The mark where marker `number` stood; 0:0 when the text has no such marker.
    subscript(_ number: Int) -> Mark {
        marks[number] ?? Mark(line: 0, column: 0)
    }

    /// The text's UTF-8 bytes.
    var bytes: [UInt8] { Array(text.utf8) }
}
