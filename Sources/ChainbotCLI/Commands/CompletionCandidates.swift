import ChainbotCore
import ChainbotManifest

/// `chainbot __complete WHAT …`: the candidates a completion script asks for while the user types (not
/// a command of the table: it prints one candidate a line and never fails loudly).
///
/// - `fields WORD`: for `explain` — the kinds (and `metadata`, `Fleet`) or, after a dot, the fields of
///   what the word names so far: `Service.` → `Service.exec`, `Service.hardening.` → its fields.
/// - `resources WORD…`: for `get`, `suspend`, `resume` — every `Kind/name` in the manifests the command
///   line names with `-f`/`--filename` (else `manifests/`).
/// - `outputs COMMAND`: the formats that command's `-o` takes, from its usage line.
enum CompletionCandidates {
    static let name = "__complete"

    static func run(_ arguments: [String], _ context: CommandContext) -> ExitCode {
        let rest = Array(arguments.dropFirst())
        let candidates: [String] =
            switch arguments.first {
            case "fields": fields(rest.first ?? "")
            case "resources": resources(commandLine: rest)
            case "outputs":
                rest.first.flatMap { name in ChainbotCLI.commands.first { $0.name == name } }.map(outputs) ?? []
            default: []
            }
        context.stdout.write(candidates.map { $0 + "\n" }.joined())
        return .success
    }

    /// Kinds, or the fields under the dotted path typed so far.
    static func fields(_ word: String) -> [String] {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return ExplainCommand.topics }
        guard var schema = ExplainCommand.schema(of: parts[0])?.schema else { return [] }
        for name in parts.dropFirst().dropLast() {
            guard let field = schema.field(name), case .object(let nested) = ExplainCommand.innermost(field.type)
            else { return [] }
            schema = nested
        }
        let prefix = parts.dropLast().joined(separator: ".")
        return schema.fields.map { "\(prefix).\($0.name)" }
    }

    /// Every `Kind/name` of the manifests named on the command line being completed.
    static func resources(commandLine words: [String]) -> [String] {
        var paths: [String] = []
        for (index, word) in words.enumerated() where word == "-f" || word == "--filename" {
            if index + 1 < words.count { paths.append(words[index + 1]) }
        }
        let set = ManifestLoader().load(paths.isEmpty ? ["manifests"] : paths)
        return set.resources.map(\.id.description).sorted()
    }

    /// `-o text|json|yaml` in the usage line → text, json, yaml.
    static func outputs(of command: Command) -> [String] {
        guard let range = command.usage.firstRange(of: "-o ") else { return [] }
        let formats = command.usage[range.upperBound...].prefix { $0.isLetter || $0 == "|" }
        return formats.split(separator: "|").map(String.init)
    }
}
