import ChainbotCore
import ChainbotYAML

/// Collects diagnostics and field locations while one document is decoded.
final class DecodeContext {
    /// The file as the user named it, for locations.
    let file: String
    /// The directory of the manifest file, for resolving `source` paths.
    let directory: String
    /// Largest `source` file accepted, in bytes.
    let maxSourceBytes: Int
    /// What is at an absolute path, following links: its type, whether it is a regular file, its size
    /// in bytes; nil when nothing is there (the filesystem seam).
    let sourceStatus: (String) -> (type: String, isRegular: Bool, size: Int)?
    /// "Service 'chainbot'" once kind and name are known; appended to messages as "in …".
    var subject: String?
    private(set) var diagnostics: [ManifestDiagnostic] = []

    init(
        file: String, directory: String, maxSourceBytes: Int,
        sourceStatus: @escaping (String) -> (type: String, isRegular: Bool, size: Int)?
    ) {
        self.file = file
        self.directory = directory
        self.maxSourceBytes = maxSourceBytes
        self.sourceStatus = sourceStatus
    }

    /// The location of a node: its start, underlining its text when it sits on one line.
    func location(of node: Node) -> SourceLocation {
        let length = node.end.line == node.start.line ? node.end.column - node.start.column : 1
        return SourceLocation(file: file, line: node.start.line, column: node.start.column, length: length)
    }

    func location(of mark: Mark, length: Int = 1) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column, length: length)
    }

    /// Adds an error at `node` reading "HEADLINE in SUBJECT: DETAIL" (the subject once kind and name are
    /// known, the detail when given).
    func error(
        _ code: DiagnosticCode, _ headline: String, detail: String? = nil, at node: Node,
        notes: [ManifestDiagnostic.Note] = []
    ) {
        report(.error(code, compose(headline, detail), at: location(of: node), notes: notes))
    }

    func warning(
        _ code: DiagnosticCode, _ headline: String, detail: String? = nil, at node: Node,
        notes: [ManifestDiagnostic.Note] = []
    ) {
        report(.warning(code, compose(headline, detail), at: location(of: node), notes: notes))
    }

    private func compose(_ headline: String, _ detail: String?) -> String {
        headline + (subject.map { " in \($0)" } ?? "") + (detail.map { ": \($0)" } ?? "")
    }

    func report(_ diagnostic: ManifestDiagnostic) {
        diagnostics.append(diagnostic)
    }

    /// How many errors have been reported so far (to tell whether a part decoded cleanly).
    var errorCount: Int { diagnostics.count { $0.severity == .error } }
}
