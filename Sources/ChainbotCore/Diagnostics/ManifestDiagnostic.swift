/// One problem found in a manifest set, with where it is, a stable code and notes.
///
/// Diagnostics are collected, never thrown: loading a manifest set reports every problem at once.
public struct ManifestDiagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// A follow-up line: a suggestion (`did you mean 'enabled'?`) or a pointer (`first defined here`).
    public struct Note: Sendable, Hashable {
        public var message: String
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    public var location: SourceLocation
    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    public var notes: [Note]

    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, at location: SourceLocation,
        notes: [Note] = []
    ) {
        self.location = location
        self.severity = severity
        self.code = code
        self.message = message
        self.notes = notes
    }

    public static func error(
        _ code: DiagnosticCode, _ message: String, at location: SourceLocation, notes: [Note] = []
    ) -> ManifestDiagnostic {
        ManifestDiagnostic(.error, code, message, at: location, notes: notes)
    }

    public static func warning(
        _ code: DiagnosticCode, _ message: String, at location: SourceLocation, notes: [Note] = []
    ) -> ManifestDiagnostic {
        ManifestDiagnostic(.warning, code, message, at: location, notes: notes)
    }
}

extension Array where Element == ManifestDiagnostic {
    /// True when at least one diagnostic is an error (warnings alone leave a manifest set valid).
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line, column, then code, so output is stable across runs.
    public func sortedForOutput() -> [ManifestDiagnostic] {
        sorted { a, b in
            if a.location != b.location { return a.location < b.location }
            if a.code != b.code { return a.code.rawValue < b.code.rawValue }
            return a.message < b.message
        }
    }
}
