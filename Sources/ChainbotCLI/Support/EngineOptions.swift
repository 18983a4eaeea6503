import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotManifest
import ChainbotOS
import ChainbotProviders
import ChainbotStore
import Glibc

/// The options `diff`, `apply` and `rollback` share, and the set-up they need: manifests loaded and
/// valid, the state store open, providers built for the live host or an offline root.
struct EngineOptions {
    static let valued = [
        "-f": "filename", "--filename": "filename", "-o": "output", "--output": "output", "--root": "root",
        "--state": "state", "--kind": "kind", "--watchtower-targets": "watchtower-targets",
        "--alexos-url": "alexos-url", "--alexos-path": "alexos-path", "--config": "config",
        "--host": "host", "--label": "label",
    ]

    /// The help lines of `--host`, `--label` and `--config`, as `diff` and `apply` print them.
    static let hostAndConfigurationHelp = """
          --host NAME           this host's name for metadata.hostSelector (default: the
                                configuration's host, else the kernel's host name)
          --label KEY=VALUE     one of this host's labels for hostSelector (repeatable; the
                                configuration's labels: mapping)
          --config FILE         the agent's configuration (default $CHAINBOT_CONFIG, else
                                /etc/chainbot/config.yaml when it exists, not with --root): its
                                filename, state, kind, alexos-url, alexos-path, watchtower-targets,
                                host and labels apply here too; options given here win
        """

    var paths: [String]
    var output: String
    /// The offline image root (`--root DIR`), or nil for the live host.
    var root: String?
    var statePath: String
    var kinds: Set<Kind>?
    /// `--force`: also lets a firewall load stop accepting a management port.
    var force = false
    var environment: [String: String] = [:]
    /// Where Watchtower's targets file is, how it is reloaded, whether targets are probed.
    var watchtower = WatchtowerProvider.Settings()
    /// Where ALEX OS answers (`--alexos-url`, else `CHAINBOT_ALEXOS_URL`); nil when neither is set.
    var alexOS: AlexOSEndpoints?
    /// Who this host is in a fleet (`--host`, `--label`; see `EngineOptions+Host.swift`).
    var host = HostIdentity(name: "localhost")

    /// Parses `given` over the configuration file's shared keys (`readsConfigFile`; the agent has merged
    /// the whole file already).
    init(
        _ given: Arguments, environment: [String: String], readsConfigFile: Bool = true,
        outputs: [String] = ["text", "json"]
    ) throws(UsageError) {
        var arguments = given
        if readsConfigFile {
            switch ConfigFileOptions.merged(given, environment: environment, keys: ConfigFileOptions.sharedKeys) {
            case .success(let merged): arguments = merged
            case .failure(let error): throw error
            }
        }
        self.environment = environment
        host = try Self.hostIdentity(arguments)
        force = arguments.has("force")
        paths = arguments.positional + arguments.all("filename")
        if paths.isEmpty { paths = ["manifests/"] }
        output = try arguments.output(outputs)
        if let root = arguments.value("root") {
            guard !root.isEmpty else {
                throw UsageError(message: "--root needs a directory")
            }
            var normalized = Self.absolute(root)
            while normalized.count > 1 && normalized.hasSuffix("/") { normalized.removeLast() }
            self.root = normalized
        }
        watchtower = ProviderFactory.watchtowerSettings(
            targets: arguments.value("watchtower-targets"), root: root, environment: environment)
        statePath =
            arguments.value("state").map(Self.absolute) ?? Self.defaultStatePath(root: root, environment: environment)
        if let kind = arguments.value("kind") {
            guard let parsed = Kind.allCases.first(where: { $0.rawValue.lowercased() == kind.lowercased() }) else {
                let hint = Suggestion.closest(to: kind, in: Kind.allCases.map(\.rawValue)).map {
                    "; did you mean \($0)?"
                }
                throw UsageError(
                    message: "--kind must be one of " + Kind.allCases.map(\.rawValue).joined(separator: ", ")
                        + (hint ?? ""))
            }
            kinds = [parsed]
        }
        if let url = arguments.value("alexos-url") ?? environment["CHAINBOT_ALEXOS_URL"], !url.isEmpty {
            do { alexOS = try AlexOSEndpoints(baseURL: url) } catch { throw UsageError(message: error.message) }
            let paths =
                arguments.all("alexos-path")
                + (environment["CHAINBOT_ALEXOS_PATHS"] ?? "").split(separator: ",").map(String.init)
            for entry in paths where !entry.isEmpty {
                try Self.setPath(entry, in: &alexOS)
            }
        }
    }

    /// The options, or nil after printing `chainbot COMMAND: problem` (for commands that only need the
    /// state file: status, get, suspend, resume).
    static func parse(
        _ arguments: Arguments, _ context: CommandContext, command: String, outputs: [String] = ["text", "json"]
    ) -> EngineOptions? {
        do { return try EngineOptions(arguments, environment: context.environment, outputs: outputs) } catch {
            context.stderr.write("chainbot \(command): \(error.message)\n")
            return nil
        }
    }

    /// The ALEX OS calls whose path `--alexos-path NAME=PATH` may change (DESIGN.md §7).
    static let alexOSPathNames = ["register", "canon", "agents", "deregister", "webhook"]

    /// Applies one `NAME=PATH` (e.g. `register=/api/v2/agents/register`).
    static func setPath(_ entry: String, in endpoints: inout AlexOSEndpoints?) throws(UsageError) {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[1].hasPrefix("/"), !parts[1].contains(" ") else {
            throw UsageError(
                message: "--alexos-path takes NAME=/path, like register=/api/agents/register; not '\(entry)'")
        }
        switch parts[0] {
        case "register": endpoints?.registerPath = parts[1]
        case "canon": endpoints?.canonPath = parts[1]
        case "agents": endpoints?.agentListPath = parts[1]
        case "deregister":
            guard parts[1].contains("{name}") else {
                throw UsageError(message: "--alexos-path deregister=... needs {name} where the agent's name goes")
            }
            endpoints?.deregisterPath = parts[1]
        case "webhook":
            guard parts[1].contains("{event_type}") else {
                throw UsageError(message: "--alexos-path webhook=... needs {event_type} where the event's type goes")
            }
            endpoints?.webhookPath = parts[1]
        default:
            throw UsageError(
                message: "--alexos-path: unknown call '\(parts[0])'; one of " + alexOSPathNames.joined(separator: ", "))
        }
    }

    /// `path` made absolute against the working directory (`--root img` is `$PWD/img`, not `/img`).
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard let directory = getcwd(&buffer, buffer.count) else { return path }
        let base = String(cString: directory)
        return (base.hasSuffix("/") ? base : base + "/") + path
    }

    /// `/var/lib/chainbot/state.db` as root (under `--root` when given), else `$XDG_STATE_HOME/chainbot/state.db`.
    static func defaultStatePath(root: String?, environment: [String: String]) -> String {
        if let root { return root + "/var/lib/chainbot/state.db" }
        if getuid() == 0 { return "/var/lib/chainbot/state.db" }
        let base =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].map { $0 + "/.local/state" } ?? "/tmp")
        return base + "/chainbot/state.db"
    }

    /// Parses the options and loads the manifests, the start of `diff` and `apply`; on a problem prints it
    /// (prefixed with `chainbot COMMAND:` for usage errors) and returns the exit code to stop with.
    static func load(
        _ arguments: Arguments, _ context: CommandContext, command: String, outputs: [String] = ["text", "json"]
    ) -> Result<(EngineOptions, ManifestSet), ExitCode> {
        let options: EngineOptions
        do { options = try EngineOptions(arguments, environment: context.environment, outputs: outputs) } catch {
            context.stderr.write("chainbot \(command): \(error.message)\n")
            return .failure(.usage)
        }
        return options.loadManifests(context).map { (options, $0) }
    }

    /// Loads the manifests; on problems prints them and returns the exit code to stop with.
    func loadManifests(_ context: CommandContext) -> Result<ManifestSet, ExitCode> {
        let set = ManifestLoader(host: host).load(paths)
        if !set.diagnostics.isEmpty {
            let renderer = DiagnosticRenderer(files: set.files, colored: context.colors(on: context.stderr))
            context.stderr.write(renderer.render(set.diagnostics))
        }
        if set.hasIOErrors { return .failure(.failure) }
        if !set.isValid {
            context.stderr.write("chainbot: the manifests are invalid; nothing was changed\n")
            return .failure(.invalidManifests)
        }
        return .success(set)
    }

    /// The resources to manage: those selected for this host (`metadata.hostSelector`), narrowed by `--kind`.
    func selected(_ resources: [Resource]) -> [Resource] {
        let mine = resources.filter { $0.isSelected(for: host) }
        guard let kinds else { return mine }
        return mine.filter { kinds.contains($0.id.kind) }
    }

    /// Opens the state store to write, creating its directory; prints a clear error on failure (a file
    /// that is not chainbot's is refused untouched).
    func openStore(_ context: CommandContext) -> SQLiteStateStore? {
        do {
            var store = try SQLiteStateStore.open(path: statePath)
            store.hostName = host.name
            return store
        } catch {
            context.stderr.write("chainbot: \(error)\n")
            return nil
        }
    }

    /// The state store opened read-only when the file exists, else an empty in-memory one: for commands
    /// that only read (diff, dry runs, status, get), which must not create or change a state file.
    func existingStore(_ context: CommandContext) -> SQLiteStateStore? {
        do {
            let store =
                access(statePath, F_OK) == 0
                ? try SQLiteStateStore.openReadOnly(path: statePath) : try SQLiteStateStore.inMemory()
            for warning in store.readWarnings { context.stderr.write("chainbot: warning: \(warning)\n") }
            return store
        } catch {
            context.stderr.write("chainbot: \(error)\n")
            return nil
        }
    }

    /// Takes the state file's lock, waiting up to 60 s for another chainbot; prints why on failure.
    ///
    /// An existing file is checked first (chainbot's, a schema this chainbot knows): a refused one gets
    /// no lock file beside it either.
    func lock(_ context: CommandContext) -> StateLock? {
        if access(statePath, F_OK) == 0 {
            do { try SQLiteStateStore.checkIdentity(path: statePath) } catch {
                context.stderr.write("chainbot: \(error)\n")
                return nil
            }
        }
        do {
            return try StateLock.acquire(for: statePath, timeout: .seconds(60)) { holder in
                let who = holder.map { " (pid \($0))" } ?? ""
                context.stderr.write("chainbot: waiting for another chainbot\(who) using \(statePath)...\n")
            }
        } catch {
            if error.code == EWOULDBLOCK {
                context.stderr.write(
                    "chainbot: another chainbot is still using \(statePath) after 60 s; try again when it has finished\n"
                )
            } else {
                context.stderr.write("chainbot: cannot lock the state file: \(error)\n")
            }
            return nil
        }
    }

    /// The engine for `diff`, `apply` and `rollback`, from the one factory (`Concretes`).
    func reconciler(_ store: SQLiteStateStore) -> Reconciler {
        Concretes.live(environment: environment).reconciler(self, store: store)
    }

    /// The webhook envelope of an event occurrence when an ALEX OS is configured, else nil.
    var outboxPayload: (@Sendable (StoredEvent, String) -> String)? {
        guard alexOS != nil else { return nil }
        return { stored, key in EventEnvelope.render(stored, idempotencyKey: key) }
    }
}
