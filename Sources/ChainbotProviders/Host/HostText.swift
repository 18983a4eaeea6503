/// Small text helpers for the files the Host readers parse.
enum HostText {
    /// `text` without leading and trailing spaces, tabs, carriage returns, newlines and NUL bytes.
    static func trimmed(_ text: some StringProtocol) -> String {
        let isSpace: (Character) -> Bool = { " \t\r\n\0".contains($0) }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }
}
