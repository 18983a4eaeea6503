import Glibc

/// The configuration file's part in a command line: `--config FILE`, else `$CHAINBOT_CONFIG`, else
/// `/etc/chainbot/config.yaml` when it exists (not under `--root`: an image is not this host). Its values
/// stand under the command line's, which win.
enum ConfigFileOptions {
    /// The keys every command that reads the state file or the manifests takes from the file: the agent's
    /// `diff`, `apply`, `status` and the others then look at the same manifests, state file and ALEX OS.
    /// `prune`, `resync`, `listen` and the other agent settings stay the agent's.
    static let sharedKeys: Set<String> = [
        "filename", "state", "kind", "alexos-url", "alexos-path", "watchtower-targets", "host", "labels",
    ]

    /// The file to read for `given`, or nil when there is none.
    static func path(for given: Arguments, environment: [String: String]) -> String? {
        if let explicit = given.value("config") { return explicit }
        if let fromEnvironment = environment["CHAINBOT_CONFIG"] {
            return fromEnvironment.isEmpty ? nil : fromEnvironment
        }
        if given.value("root") != nil { return nil }
        return access(AgentConfigFile.defaultPath, F_OK) == 0 ? AgentConfigFile.defaultPath : nil
    }

    /// `given` over the file's values for `keys` (all of the file's keys when nil). Manifest paths given
    /// on the command line replace the file's `filename` list.
    static func merged(
        _ given: Arguments, environment: [String: String], keys: Set<String>? = nil
    ) -> Result<Arguments, UsageError> {
        guard let path = path(for: given, environment: environment) else { return .success(given) }
        switch AgentConfigFile.load(path) {
        case .failure(let error): return .failure(error)
        case .success(var file):
            if let keys { file.values = file.values.filter { keys.contains($0.key) } }
            // The environment's ALEX OS URL is closer to this run than the file's.
            if environment["CHAINBOT_ALEXOS_URL"]?.isEmpty == false { file.values["alexos-url"] = nil }
            if !given.positional.isEmpty || !given.all("filename").isEmpty { file.values["filename"] = nil }
            let valued = Dictionary(
                uniqueKeysWithValues: AgentConfigFile.keys.subtracting(["prune"]).map { ("--" + $0, $0) })
            do {
                let base = try Arguments(file.arguments, valued: valued, switches: ["--prune": "prune"])
                return .success(given.merged(over: base))
            } catch {
                return .failure(UsageError(message: "\(path): \(error.message)"))
            }
        }
    }

    /// The state file `given` names, else the configuration file's `state`, else the default: for the
    /// commands that only read the store (`events`, `history`).
    static func statePath(_ given: Arguments, environment: [String: String]) -> Result<String, UsageError> {
        if let state = given.value("state") { return .success(state) }
        return merged(given, environment: environment, keys: ["state"]).map { arguments in
            arguments.value("state")
                ?? EngineOptions.defaultStatePath(root: arguments.value("root"), environment: environment)
        }
    }
}
