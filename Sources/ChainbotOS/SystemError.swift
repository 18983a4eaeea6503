import Glibc

/// A failed system call: the operation, the path it was about (if any), the errno value and its text.
///
/// Renders as `open /etc/x: No such file or directory`, or `pipe: Too many open files` without a path.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call or step that failed, such as `open` or `rename`.
    public var operation: String
    /// The file the call was about, when there is one.
    public var path: String?
    /// The errno value the call left behind.
    public var code: Int32
    /// The C library's text for `code` (`strerror`), captured when the error is made.
    public var message: String

    /// Makes an error for `code`, reading its text from the C library.
    public init(_ operation: String, path: String? = nil, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
        self.message = SystemError.text(for: code)
    }

    /// Makes an error from the calling thread's current `errno`.
    public static func current(_ operation: String, path: String? = nil) -> SystemError {
        SystemError(operation, path: path, code: errno)
    }

    /// Returns the C library's text for an errno value, such as `No such file or directory`.
    public static func text(for code: Int32) -> String {
        // glibc's strerror returns a constant string for known values and a thread-local buffer otherwise.
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Calls `body` again while it fails with EINTR; throws the errno as a `SystemError` when it returns -1.
    ///
    /// Not for `close`, which must not be retried on Linux (the descriptor is gone either way).
    @discardableResult
    public static func retrying<Result: BinaryInteger>(
        _ operation: String, path: String? = nil, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw SystemError(operation, path: path, code: code) }
        }
    }

    public var description: String {
        if let path { "\(operation) \(path): \(message)" } else { "\(operation): \(message)" }
    }
}
