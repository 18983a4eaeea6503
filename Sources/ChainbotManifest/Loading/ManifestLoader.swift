public import ChainbotCore
import ChainbotYAML
import Synchronization

/// The desired state read from a set of manifest paths, with every problem found in it.
public struct ManifestSet: Sendable {
    /// Resources whose documents decoded without error, in file and document order.
    public var resources: [Resource]
    /// Every problem, sorted by file, line and column.
    public var diagnostics: [ManifestDiagnostic]
    /// The files read, for rendering source lines under diagnostics and for the generation hash.
    public var files: [ManifestFile]
    /// The host the set was selected and validated for; nil when no host was given (then every listed
    /// host of the inventory, or without one the whole set as one host).
    public var host: HostIdentity?
    /// The fleet's inventory (a `kind: Fleet` document), when the manifests have a valid one.
    public var inventory: FleetInventory?
    /// Every decoded document and the problems found in single files, to select again for another host.
    var documents: [DecodedDocument] = []
    var fileDiagnostics: [ManifestDiagnostic] = []

    /// True when no diagnostic is an error (warnings allowed).
    public var isValid: Bool { !diagnostics.hasErrors }

    /// True when a path could not be read at all (the CLI exits 2 rather than 65).
    public var hasIOErrors: Bool { diagnostics.contains { $0.code.isIOError && $0.severity == .error } }
}

/// Reads manifest files and directories into a validated `ManifestSet`.
public struct ManifestLoader: Sendable {
    public var limits: YAMLLimits
    /// The host to select and validate for (`metadata.hostSelector`); nil: see `ManifestSet.host`.
    public var host: HostIdentity?
    /// Most manifest files read from all paths together; the next one is a `too-many-files` error.
    public var maxFiles: Int
    /// Largest ConfigFile `source` file accepted, in bytes.
    public var maxSourceBytes: Int

    /// The default limits: 8 MiB per manifest (`YAMLLimits.manifest`), 10,000 files, 8 MiB per source file.
    public static let defaultMaxFiles = 10_000
    public static let defaultMaxSourceBytes = 8 << 20

    public init(
        limits: YAMLLimits = .manifest, maxFiles: Int = defaultMaxFiles, maxSourceBytes: Int = defaultMaxSourceBytes,
        host: HostIdentity? = nil
    ) {
        self.host = host
        self.limits = limits
        self.maxFiles = maxFiles
        self.maxSourceBytes = maxSourceBytes
    }

    /// Loads `paths` (files or directories, in order); never throws: problems become diagnostics.
    public func load(_ paths: [String]) -> ManifestSet {
        var finder = ManifestFiles(maxBytes: limits.maxBytes, maxFiles: maxFiles)
        for path in paths { finder.collect(path) }
        var diagnostics = finder.diagnostics
        var documents: [DecodedDocument] = []
        for (decoded, problems) in loadConcurrently(finder.files) {
            documents += decoded
            diagnostics += problems
        }
        return ManifestSet(documents: documents, fileDiagnostics: diagnostics, files: finder.files, host: host)
    }

    /// Loads YAML text as if it were the file `path` (for tests and for stdin).
    public func load(text: String, path: String) -> ManifestSet {
        let file = ManifestFile(path: path, bytes: Array(text.utf8))
        let (documents, problems) = loadFile(file)
        return ManifestSet(documents: documents, fileDiagnostics: problems, files: [file], host: host)
    }

    /// Parses and decodes files on all cores (files are independent until the set-wide checks);
    /// results keep the files' order.
    private func loadConcurrently(_ files: [ManifestFile]) -> [([DecodedDocument], [ManifestDiagnostic])] {
        guard files.count > 1 else { return files.map(loadFile) }
        let results = Mutex<[([DecodedDocument], [ManifestDiagnostic])?]>(Array(repeating: nil, count: files.count))
        ParallelWork.forEach(count: files.count) { index in
            let result = loadFile(files[index])
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    private func loadFile(_ file: ManifestFile) -> ([DecodedDocument], [ManifestDiagnostic]) {
        var diagnostics: [ManifestDiagnostic] = []
        if file.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            diagnostics.append(
                .warning(
                    .byteOrderMark, "the file starts with a UTF-8 byte-order mark, which is ignored",
                    at: SourceLocation(file: file.path, line: 1, column: 1)))
        }
        let stream = YAMLParser.parse(file.bytes, limits: limits)
        for problem in stream.problems {
            diagnostics.append(Self.diagnostic(for: problem, file: file.path))
        }
        let directory = Self.directory(of: file.path)
        var decoded: [DecodedDocument] = []
        for root in stream.documents where root.scalar?.value != .null || root.tag != nil {
            let context = DecodeContext(
                file: file.path, directory: directory, maxSourceBytes: maxSourceBytes, sourceStatus: RegularFile.status)
            decoded.append(DocumentDecoder(context: context).decode(root))
            diagnostics += context.diagnostics
        }
        if decoded.isEmpty, !stream.problems.contains(where: \.isFatal) {
            diagnostics.append(
                .error(
                    .emptyFile, "the file contains no manifest document",
                    at: SourceLocation(file: file.path, line: 0, column: 0)))
        }
        return (decoded, diagnostics)
    }

    static func diagnostic(for problem: YAMLProblem, file: String) -> ManifestDiagnostic {
        let code: DiagnosticCode =
            switch problem.kind {
            case .syntax: .yamlSyntax
            case .invalidEncoding: .invalidEncoding
            case .tabIndentation: .tabIndentation
            case .tooDeep: .tooDeep
            case .tooManyDocuments: .tooManyDocuments
            case .aliasBudget: .aliasBudget
            case .undefinedAlias: .undefinedAlias
            case .duplicateKey: .duplicateKey
            case .invalidMerge: .invalidMerge
            case .fileTooLarge: .fileTooLarge
            }
        let location = SourceLocation(
            file: file, line: problem.mark.line, column: problem.mark.column, length: problem.length)
        let notes = problem.related.map {
            ManifestDiagnostic.Note(
                $0.message, at: SourceLocation(file: file, line: $0.mark.line, column: $0.mark.column))
        }
        return .error(code, problem.message, at: location, notes: notes)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

}
