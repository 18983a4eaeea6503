import Glibc
import Synchronization

/// Where a command's text goes: a file descriptor, or a buffer in tests.
public final class OutputSink: Sendable {
    private enum Target {
        case descriptor(Int32)
        case buffer
    }

    private let target: Target
    private let captured = Mutex<String>("")
    /// Whether this sink is a terminal (so colors and progress make sense).
    public let isTerminal: Bool

    private init(target: Target, isTerminal: Bool) {
        self.target = target
        self.isTerminal = isTerminal
    }

    public static let standardOutput = OutputSink(target: .descriptor(1), isTerminal: isatty(1) == 1)
    public static let standardError = OutputSink(target: .descriptor(2), isTerminal: isatty(2) == 1)

    /// A sink that keeps what is written, for tests; `isTerminal` pretends to be a terminal.
    public static func buffer(isTerminal: Bool = false) -> OutputSink {
        OutputSink(target: .buffer, isTerminal: isTerminal)
    }

    /// Everything written so far (buffers only).
    public var text: String { captured.withLock { $0 } }

    public func write(_ text: String) {
        switch target {
        case .buffer:
            captured.withLock { $0 += text }
        case .descriptor(let fd):
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { raw in
                    Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // A closed pipe (`| head`) is not worth failing over.
                }
                offset += written
            }
            bytes.removeAll()
        }
    }
}

extension String {
    /// The text followed by spaces up to `width` characters (unchanged when already as long), for tables.
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// The world a command runs in: its outputs, environment and working directory.
public struct CommandContext: Sendable {
    public var stdout: OutputSink
    public var stderr: OutputSink
    public var environment: [String: String]

    public init(stdout: OutputSink, stderr: OutputSink, environment: [String: String]) {
        self.stdout = stdout
        self.stderr = stderr
        self.environment = environment
    }

    /// Colors only on a terminal and only when `NO_COLOR` is unset or empty.
    public func colors(on sink: OutputSink) -> Bool {
        sink.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// The process's real environment.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
