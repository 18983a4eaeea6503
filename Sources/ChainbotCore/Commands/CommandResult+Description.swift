/// A result reads as text in a failed expectation or a log line (`exited 1; stderr: "Job failed"`), not as
/// the decimal bytes of its streams.
extension CommandResult: CustomStringConvertible {
    public var description: String {
        let ended: String =
            switch termination {
            case .exited(let status): "exited \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        var parts = [ended]
        if !standardOutput.isEmpty { parts.append("stdout: \(Self.shown(output))") }
        if !standardError.isEmpty { parts.append("stderr: \(Self.shown(errorOutput))") }
        return parts.joined(separator: "; ")
    }

    /// The text quoted, its end kept when it is long (where a tool says what went wrong).
    static func shown(_ text: String) -> String {
        let limit = 4_000
        guard text.count > limit else { return "\"\(text)\"" }
        return "\"…\(text.suffix(limit))\""
    }
}
