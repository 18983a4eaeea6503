import ChainbotCore
import ChainbotOS
import Glibc

/// `CHAINBOT_EXTERNAL_DIFF`, as kubectl's `KUBECTL_EXTERNAL_DIFF`: `chainbot diff` writes the host as
/// observed and as the manifests want it into two directories, `…/observed` and `…/desired` (the tree of
/// `diff -o patch`: `KIND/NAME/FACET`, other differences in `KIND/NAME/fields`), and runs the program with
/// both as its last two arguments. The variable is split on spaces into the program and its first
/// arguments (`diff -u -N`, `meld`, `delta`); no shell runs it. Secrets are only their digests there too.
/// The directories are private to the user (0700) and removed afterwards.
struct ExternalDiff {
    static let variable = "CHAINBOT_EXTERNAL_DIFF"
    let argv: [String]

    /// The program named by the environment, or nil when the variable is unset or blank.
    init?(environment: [String: String]) {
        let words = (environment[Self.variable] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard !words.isEmpty else { return nil }
        argv = words.map(String.init)
    }

    /// Runs the program on the two trees of `files`; what it printed, or why it could not run.
    func run(_ files: [PatchRenderer.File], runner: some CommandRunner, environment: [String: String]) async
        -> Result<CommandResult, ExternalDiffError>
    {
        let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/chainbot-diff-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap(mkdtemp) }) else {
            return .failure(ExternalDiffError("cannot make a directory under \(base): \(SystemError.text(for: errno))"))
        }
        let top = String(cString: made)
        let tree = LocalFileSystem(root: top)
        var written: [String] = []
        defer { Self.remove(written, under: top) }
        do {
            for file in files {
                for (side, text) in [("observed", file.observed), ("desired", file.desired)] {
                    guard let text else { continue }
                    let path = "/\(side)/\(file.path)"
                    try tree.write(FileWrite(path: path, content: Array(text.utf8), mode: 0o600))
                    written.append(path)
                }
            }
            for side in ["observed", "desired"] where !written.contains(where: { $0.hasPrefix("/\(side)/") }) {
                try tree.makeDirectory("/\(side)", mode: 0o700)
            }
        } catch {
            return .failure(ExternalDiffError("cannot write the trees to compare under \(top): \(error.message)"))
        }
        let invocation = CommandInvocation(
            argv[0], Array(argv.dropFirst()) + ["\(top)/observed", "\(top)/desired"], timeout: .seconds(3600))
        do {
            return .success(try await runner.run(invocation))
        } catch {
            return .failure(ExternalDiffError("\(Self.variable)=\(argv.joined(separator: " ")): \(error)"))
        }
    }

    /// Removes exactly what was written, then the directories above it, deepest first.
    private static func remove(_ written: [String], under top: String) {
        var directories: Set<String> = ["/observed", "/desired"]
        for path in written {
            unlink(top + path)
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                directories.insert("/" + parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        for directory in directories.sorted(by: { $0.count > $1.count }) { rmdir(top + directory) }
        rmdir(top)
    }
}

struct ExternalDiffError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
