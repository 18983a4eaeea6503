import ChainbotCore
import ChainbotManifest
import ChainbotYAML

/// The agent's configuration file (`--config FILE`, default `/etc/chainbot/config.yaml` when it exists):
/// a YAML mapping whose keys are the long flag names (`filename`, `state`, `resync`, `prune`, `kind`;
/// `git-remotes` for a list of `--git-remote`, `git-verify: true|false`).
/// Flags on the command line win. SIGHUP reads it again.
struct AgentConfigFile {
    static let defaultPath = "/etc/chainbot/config.yaml"
    /// Largest configuration file read, in bytes (1 MiB).
    static let maxBytes = 1 << 20
    static let keys: Set<String> = [
        "filename", "state", "resync", "prune", "kind", "alexos-url", "listen", "token-file", "watchtower-targets",
        "backoff-base", "backoff-max", "alexos-path", "git-pull", "host", "labels",
        "git-branch", "git-remotes", "git-verify", "git-allowed-signers", "event-bus-url",
    ]

    /// Values by flag name; a list for `filename`.
    var values: [String: [String]] = [:]

    /// Reads `path`; a problem is one message with `path:line:col`.
    static func load(_ path: String) -> Result<AgentConfigFile, UsageError> {
        let bytes: [UInt8]
        switch read(path) {
        case .success(let read): bytes = read
        case .failure(let error): return .failure(error)
        }
        let stream = YAMLParser.parse(bytes)
        if let problem = stream.problems.first {
            return .failure(UsageError(message: "\(path):\(problem.mark): \(problem.message)"))
        }
        var config = AgentConfigFile()
        guard let document = stream.documents.first else { return .success(config) }
        if case .scalar(let scalar) = document.content, case .null = scalar.value { return .success(config) }
        guard let pairs = document.mapping else {
            return .failure(
                UsageError(
                    message: "\(path):\(document.start): the configuration must be a mapping of flag names to values"))
        }
        for pair in pairs {
            guard let key = pair.key.scalar?.text, keys.contains(key) else {
                let name = pair.key.scalar?.text ?? "?"
                let hint = Suggestion.closest(to: name, in: keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                return .failure(UsageError(message: "\(path):\(pair.key.start): unknown key '\(name)'\(hint)"))
            }
            // `labels:` is a mapping of host labels, carried as `KEY=VALUE` texts (what `--label` takes).
            let texts =
                key == "labels" && pair.value.scalar?.value != .null
                ? labels(pair.value, path: path) : values(pair.value, key: key, path: path)
            switch texts {
            case .success(let texts): config.values[key] = texts
            case .failure(let error): return .failure(error)
            }
        }
        return .success(config)
    }

    /// The file's bytes: a regular file of at most `maxBytes`.
    private static func read(_ path: String) -> Result<[UInt8], UsageError> {
        switch RegularFile.read(path, maxBytes: maxBytes) {
        case .success(let read): return .success(read)
        case .failure(.system(let code)):
            return .failure(UsageError(message: "cannot read the configuration \(path): \(RegularFile.describe(code))"))
        case .failure(.notRegular(let type)):
            return .failure(
                UsageError(message: "cannot read the configuration \(path): it is \(type), not a regular file"))
        case .failure(.tooLarge):
            return .failure(
                UsageError(
                    message: "cannot read the configuration \(path): it is larger than the \(maxBytes >> 20) MiB limit")
            )
        }
    }

    /// `labels:` as `KEY=VALUE` texts.
    private static func labels(_ node: ChainbotYAML.Node, path: String) -> Result<[String], UsageError> {
        guard let labels = node.mapping else {
            return .failure(
                UsageError(message: "\(path):\(node.start): 'labels' takes a mapping of label keys to values"))
        }
        var texts: [String] = []
        for label in labels {
            guard let name = label.key.scalar?.text, let value = label.value.scalar, value.value != .null else {
                return .failure(
                    UsageError(message: "\(path):\(label.key.start): a label takes a key and a scalar value"))
            }
            if let problem = FleetInventory.labelProblem(key: name, value: value.text) {
                return .failure(UsageError(message: "\(path):\(label.key.start): invalid label: \(problem)"))
            }
            texts.append(name + "=" + value.text)
        }
        return .success(texts)
    }

    /// A value or a list of values, nulls left out.
    private static func values(_ node: ChainbotYAML.Node, key: String, path: String) -> Result<[String], UsageError> {
        var texts: [String] = []
        for item in node.sequence ?? [node] {
            guard let scalar = item.scalar else {
                return .failure(
                    UsageError(message: "\(path):\(item.start): '\(key)' takes a value or a list of values"))
            }
            if case .null = scalar.value { continue }
            texts.append(scalar.text)
        }
        return .success(texts)
    }

    /// The arguments the file stands for, to parse before the command line's (which win).
    var arguments: [String] {
        var out: [String] = []
        for (key, texts) in values.sorted(by: { $0.key < $1.key }) {
            if key == "prune" {
                if texts.first == "true" { out.append("--prune") }
                continue
            }
            for text in texts { out += ["--\(key)", text] }
        }
        return out
    }
}
