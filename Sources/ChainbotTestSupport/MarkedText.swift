/// Text with location markers (`1️⃣`, `2️⃣`, …) removed, and the 1-based line and column of each.
///
/// A test writes the marker where a diagnostic must point, so nobody counts columns by hand.
public struct MarkedText {
    /// The text without its markers.
    public let text: String
    /// Each marker's 1-based line and column (in Unicode scalars), by marker.
    public let markers: [String: (line: Int, column: Int)]

    static let markerNames = ["0️⃣", "1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    public init(_ marked: String) {
        var text = ""
        var markers: [String: (Int, Int)] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while let character = rest.first {
            for name in Self.markerNames where rest.hasPrefix(name) {
                markers[name] = (line, column)
                rest = rest.dropFirst(name.count)
                continue outer
            }
            text.append(character)
            rest = rest.dropFirst()
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        self.text = text
        self.markers = markers
    }

    /// The line and column of `marker`, or (0, 0) when the text has no such marker.
    public subscript(_ marker: String) -> (line: Int, column: Int) {
        markers[marker] ?? (0, 0)
    }
}
