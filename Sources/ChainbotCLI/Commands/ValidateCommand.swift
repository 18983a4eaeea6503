import ChainbotCore
import ChainbotManifest
import ChainbotOS

/// `chainbot validate [PATH...]`: loads and checks manifests, printing every problem at once.
enum ValidateCommand {
    static let name = "validate"
    static let summary = "check manifests and report every problem with file:line:col"
    static let usage = "chainbot validate [PATH...] [-f PATH]... [-o text|json]"
    static let help = """
        Reads every *.yaml/*.yml under each PATH (default: manifests/), checks the YAML, each document's
        schema and the whole set (duplicates, references, cycles, ports, firewall), and prints every
        problem compiler-style on stderr. Nothing is applied. A valid set is summarized with its
        generation: the git commit of the manifests' work tree (`-dirty` when they have uncommitted
        changes), or `sha256:` and a content hash outside git.

        options:
          -f, --filename PATH   a manifest file or directory (repeatable; same as a positional PATH)
          -o, --output FORMAT   text (default) or json: a JSON array of diagnostics on stdout, each
                                {file, line, column, severity, code, message, notes}; line 0 means the
                                whole file

        exit: 0 valid (warnings allowed), 65 invalid, 2 a path could not be read, 64 usage.
        """
    static let command = Command(
        name: name, summary: summary, usage: usage, help: help,
        valued: ["-f": "filename", "--filename": "filename", "-o": "output", "--output": "output"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let output: String
        do { output = try arguments.output() } catch {
            context.stderr.write("chainbot validate: \(error.message)\n")
            return .usage
        }
        var paths = arguments.positional + arguments.all("filename")
        if paths.isEmpty { paths = ["manifests/"] }
        let set = ManifestLoader().load(paths)
        let status: ExitCode = set.hasIOErrors ? .failure : (set.isValid ? .success : .invalidManifests)
        if output == "json" {
            context.stdout.write(JSONValue.array(set.diagnostics.map(\.json)).serialized(pretty: true) + "\n")
            return status
        }
        let renderer = DiagnosticRenderer(files: set.files, colored: context.colors(on: context.stderr))
        if !set.diagnostics.isEmpty {
            context.stderr.write(renderer.render(set.diagnostics))
        }
        if status == .success {
            let files = DiagnosticRenderer.plural(set.files.count, "file")
            let generation = await ManifestGeneration.compute(
                paths: paths, files: set.files, runner: SpawnCommandRunner())
            context.stdout.write(
                "\(DiagnosticRenderer.plural(set.resources.count, "resource")) in \(files) valid: "
                    + summary(of: set.resources) + "\ngeneration \(generation)\n")
        }
        return status
    }

    /// "2 Service, 1 Firewall, …" in apply order.
    static func summary(of resources: [Resource]) -> String {
        var counts: [Kind: Int] = [:]
        for resource in resources { counts[resource.id.kind, default: 0] += 1 }
        let parts = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        return parts.isEmpty ? "nothing to manage" : parts.joined(separator: ", ")
    }
}
