/// Small text helpers for the files the Host readers parse.
enum HostText {
    /// `text` without leading and trailing spaces, tabs, carriage returns, newlines and NUL bytes.
    static func trimmed(_ text: some StringProtocol) -> String {
        // A set of Characters, not a string: in a string "\r\n" is one Character, and CRLF must match too.
        let spaces: Set<Character> = [" ", "\t", "\r", "\n", "\r\n", "\0"]
        let isSpace: (Character) -> Bool = { spaces.contains($0) }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }
}
