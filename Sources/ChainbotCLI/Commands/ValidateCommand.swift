import ChainbotCore
import ChainbotManifest
import ChainbotOS

/// `chainbot validate [PATH...]`: loads and checks manifests, printing every problem at once.
enum ValidateCommand {
    static let name = "validate"
    static let summary = "check manifests and report every problem with file:line:col"
    static let usage =
        "chainbot validate [PATH...] [-f PATH]... [--host NAME] [--label KEY=VALUE]... [--hosts] [-o text|json]"
    static let help = """
        Reads every *.yaml/*.yml under each PATH (default: manifests/), checks the YAML, each document's
        schema and the whole set (duplicates, references, cycles, ports, firewall), and prints every
        problem compiler-style on stderr. Nothing is applied. A valid set is summarized with its
        generation: the git commit of the manifests' work tree (`-dirty` when they have uncommitted
        changes), or `sha256:` and a content hash outside git.

        The set-wide checks run on the resources selected for a host (`metadata.hostSelector`): this host
        (`--host`, `--label`, the configuration's `host` and `labels`, else the kernel's host name). When
        the manifests hold a `kind: Fleet` inventory and no --host is given, they run for every listed
        host instead, and each host's share is summarized (see docs/fleet.md).

        options:
          -f, --filename PATH   a manifest file or directory (repeatable; same as a positional PATH)
          -o, --output FORMAT   text (default) or json. A valid set is an object {schemaVersion: 1,
                                valid: true, files, resources, kinds: {KIND: count}, generation,
                                diagnostics}; an invalid one {schemaVersion: 1, valid: false,
                                diagnostics}, each diagnostic {file, line, column, severity, code,
                                message, notes}; line 0 means the whole file; with --hosts
                                {schemaVersion, valid, hosts, notSelected, diagnostics}
                                (docs/json-output.md)
          --host NAME           validate for this host name instead of the kernel's (or the inventory's)
          --label KEY=VALUE     a label of that host (repeatable)
          --hosts               list the resources each host gets
          --config FILE         take `host` and `labels` from this configuration file

        exit: 0 valid (warnings allowed), 65 invalid, 2 a path could not be read, 64 usage.
        """
    static let command = Command(
        name: name, summary: summary, usage: usage, help: help,
        valued: [
            "-f": "filename", "--filename": "filename", "-o": "output", "--output": "output", "--host": "host",
            "--label": "label", "--config": "config",
        ], switches: ["--hosts": "hosts"], run: run)

    static func run(_ given: Arguments, _ context: CommandContext) async -> ExitCode {
        let output: String
        let host: HostIdentity
        let arguments: Arguments
        do {
            arguments = try ConfigFileOptions.merged(
                given, environment: context.environment, keys: ["host", "labels"]
            ).get()
            output = try arguments.output()
            host = try EngineOptions.hostIdentity(arguments)
        } catch {
            context.stderr.write("chainbot validate: \(error.message)\n")
            return .usage
        }
        var paths = arguments.positional + arguments.all("filename")
        if paths.isEmpty { paths = ["manifests/"] }
        var set = ManifestLoader().load(paths)
        // The inventory's hosts unless one host is named; without an inventory, this host.
        let fleet = set.inventory != nil && given.value("host") == nil
        if !fleet { set = set.selected(for: host) }
        let status: ExitCode = set.hasIOErrors ? .failure : (set.isValid ? .success : .invalidManifests)
        if output == "json" {
            let diagnostics = JSONValue.array(set.diagnostics.map(\.json))
            let valid = JSONValue.bool(status == .success)
            var out =
                arguments.has("hosts")
                ? hostsJSON(set, fleet: fleet, valid: valid, diagnostics: diagnostics)
                : JSONDocument.document([("valid", valid), ("diagnostics", diagnostics)])
            if status == .success, !arguments.has("hosts") {
                let generation = await ManifestGeneration.compute(
                    paths: paths, files: set.files, runner: SpawnCommandRunner())
                out = validJSON(set, generation: generation, diagnostics: diagnostics)
            }
            context.stdout.write(out.serialized(pretty: true) + "\n")
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
                    + summary(of: set.resources) + "\n" + hostsText(set, fleet: fleet, list: arguments.has("hosts"))
                    + "generation \(generation)\n")
        }
        return status
    }

    /// What each host gets: every inventory host in `fleet` mode, else this host when selectors leave
    /// something out (or `list` asks); `list` names the resources.
    static func hostsText(_ set: ManifestSet, fleet: Bool, list: Bool) -> String {
        var out = ""
        let selections: [(host: HostIdentity, resources: [Resource])] =
            fleet
            ? set.hostSelections.map { ($0.host.identity, $0.resources) }
            : set.host.map { [($0, set.resources)] } ?? []
        let all = set.allResources.count
        for (host, resources) in selections where fleet || list || resources.count != all {
            out += "host \(host.description): \(summary(of: resources))\n"
            if list { out += resources.map { "  \($0.id)\n" }.joined() }
        }
        if fleet, !set.selectedByNoHost.isEmpty {
            out += "selected by no host: " + set.selectedByNoHost.map(\.id.description).joined(separator: ", ") + "\n"
        }
        return out
    }

    /// `{schemaVersion, valid, hosts: [{name, labels, resources}], notSelected, diagnostics}` for `--hosts -o json`.
    static func hostsJSON(_ set: ManifestSet, fleet: Bool, valid: JSONValue, diagnostics: JSONValue) -> JSONValue {
        let selections: [(host: HostIdentity, resources: [Resource])] =
            fleet
            ? set.hostSelections.map { ($0.host.identity, $0.resources) }
            : set.host.map { [($0, set.resources)] } ?? []
        let hosts = selections.map { host, resources in
            JSONValue.object([
                ("name", .string(host.name)),
                ("labels", .object(host.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("resources", .array(resources.map { .string($0.id.description) })),
            ])
        }
        return JSONDocument.document([
            ("valid", valid), ("hosts", .array(hosts)),
            ("notSelected", .array(set.selectedByNoHost.map { .string($0.id.description) })),
            ("diagnostics", diagnostics),
        ])
    }

    /// `{schemaVersion, valid, files, resources, kinds, generation, diagnostics}`: a valid set for `-o json`
    /// (`kinds` counts per kind in apply order; `diagnostics` holds the warnings, if any).
    static func validJSON(_ set: ManifestSet, generation: String, diagnostics: JSONValue) -> JSONValue {
        var counts: [Kind: Int] = [:]
        for resource in set.resources { counts[resource.id.kind, default: 0] += 1 }
        return JSONDocument.document([
            ("valid", .bool(true)), ("files", .int(set.files.count)),
            ("resources", .int(set.resources.count)),
            ("kinds", .object(counts.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .int($0.value)) })),
            ("generation", .string(generation)), ("diagnostics", diagnostics),
        ])
    }

    /// "2 Service, 1 Firewall, …" in apply order.
    static func summary(of resources: [Resource]) -> String {
        var counts: [Kind: Int] = [:]
        for resource in resources { counts[resource.id.kind, default: 0] += 1 }
        let parts = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        return parts.isEmpty ? "nothing to manage" : parts.joined(separator: ", ")
    }
}
