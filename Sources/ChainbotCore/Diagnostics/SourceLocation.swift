/// A place in a manifest file: the file's path as the user named it, and a 1-based line and column.
///
/// Columns count Unicode scalars, as libyaml does, so a caret lines up under the character a person
/// sees in a UTF-8 terminal.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number, in Unicode scalars.
    public var column: Int
    /// How many columns a caret underline should cover; 1 when the span is unknown or multi-line.
    public var length: Int

    public init(file: String, line: Int, column: Int, length: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// `file:line:col`, the compiler-style prefix.
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
