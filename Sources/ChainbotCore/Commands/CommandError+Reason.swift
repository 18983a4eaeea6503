extension CommandError {
    /// Why a child could not be started: the text a person reads and, when a system call refused, its
    /// errno (`posix_spawn`'s ENOENT: there is no such executable), which is what decisions read.
    ///
    /// Two reasons are equal when their texts are: the errno classifies the text, it adds nothing to it
    /// (a reason written as a literal, `"No such file or directory"`, equals the one the runner made).
    public struct Reason: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
        /// What went wrong, as a person reads it (`No such file or directory`).
        public var text: String
        /// The errno value of the system call that refused; nil when chainbot refused before any call (an
        /// argument holding a NUL byte) or the maker did not record one.
        public var errno: Int32?

        public init(_ text: String, errno: Int32? = nil) {
            self.text = text
            self.errno = errno
        }

        public init(stringLiteral text: String) {
            self.init(text)
        }

        public init(stringInterpolation: DefaultStringInterpolation) {
            self.init(String(stringInterpolation: stringInterpolation))
        }

        public var description: String { text }

        /// Whether the text holds `other`; for showing and testing, never for deciding (read `errno`).
        public func contains(_ other: some StringProtocol) -> Bool { text.contains(other) }

        public static func == (lhs: Reason, rhs: Reason) -> Bool { lhs.text == rhs.text }

        public func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }
}
