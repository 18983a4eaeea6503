/// Why text is not JSON: the 0-based byte offset and what was wrong there.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    /// How much a parsed document may hold, so that text from outside cannot exhaust the stack or memory.
    public struct Limits: Sendable, Hashable {
        /// Arrays and objects nested in one another, the outermost counting 1.
        public var maxDepth: Int
        /// The length of the whole text, in bytes.
        public var maxBytes: Int

        public init(maxDepth: Int = 64, maxBytes: Int = 16 * 1024 * 1024) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
        }
    }

    /// Parses one JSON document (RFC 8259, strictly: no comments, trailing commas, leading zeros, `+`, NaN
    /// or invalid UTF-8), with white space around it and nothing else.
    ///
    /// Integers an `Int` holds become `.int`; other numbers `.number` with their text. A `\u` escape of a
    /// lone surrogate becomes U+FFFD.
    public init(parsing bytes: some Collection<UInt8>, limits: Limits = Limits()) throws(JSONSyntaxError) {
        var parser = try JSONParser(bytes: Array(bytes), limits: limits)
        self = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("trailing characters") }
    }

    /// Parses one JSON document from text (see `init(parsing:limits:)` for bytes).
    public init(parsing text: String, limits: Limits = Limits()) throws(JSONSyntaxError) {
        try self.init(parsing: text.utf8, limits: limits)
    }

    /// Every JSON value in `bytes`, written one after another (white space between them optional), as in
    /// JSON Lines or concatenated JSON; an empty or all-white-space text has none.
    public static func sequence(
        parsing bytes: some Collection<UInt8>, limits: Limits = Limits()
    ) throws(JSONSyntaxError) -> [JSONValue] {
        var parser = try JSONParser(bytes: Array(bytes), limits: limits)
        var values: [JSONValue] = []
        parser.skipSpace()
        while !parser.atEnd {
            values.append(try parser.value(depth: 0))
            parser.skipSpace()
        }
        return values
    }
}
