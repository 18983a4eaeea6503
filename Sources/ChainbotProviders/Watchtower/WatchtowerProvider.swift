public import ChainbotCore
public import ChainbotHTTP

/// WatchtowerTarget: an entry in Watchtower's targets file, which chainbot shares with whoever else
/// writes it, plus chainbot's own probe of the target.
///
/// The file is rendered from every WatchtowerTarget of the run (`bound(to:applied:)`): chainbot's entries
/// (marked `managed_by: chainbot`) are replaced in place, added at the end of the list, or taken out
/// when their resource left the manifests, and every other byte stays as it was. Any change writes the
/// whole file once and runs the reload command once, however many targets changed.
public struct WatchtowerProvider: Provider {
    public let kinds: [Kind] = [.watchtowerTarget]

    /// Where the file is, how Watchtower is told, and whether targets are probed.
    public struct Settings: Sendable {
        /// Beside Watchtower itself (`/opt/alexos/watchtower`, from the deploy scripts' unit).
        public static let defaultTargetsPath = "/opt/alexos/watchtower/targets.yaml"
        /// Reloads Watchtower if it is running and can reload, restarts it if it cannot; a stopped
        /// Watchtower stays stopped (its Service resource decides that).
        public static let defaultReload = ["systemctl", "try-reload-or-restart", "watchtower.service"]

        /// The host path of the targets file.
        public var targetsPath: String
        /// argv run after the file changed; empty: none.
        public var reload: [String]
        /// Whether observe probes the targets (not for an offline image under `--root`).
        public var probes: Bool
        /// How long the reload command may run.
        public var reloadTimeout: Duration = .seconds(60)

        public init(
            targetsPath: String = Settings.defaultTargetsPath, reload: [String] = Settings.defaultReload,
            probes: Bool = true
        ) {
            self.targetsPath = targetsPath
            self.reload = reload
            self.probes = probes
        }
    }

    let settings: Settings
    let fileSystem: any HostFileSystem
    let runner: any CommandRunner
    let prober: TargetProber
    /// chainbot's entries for the run, in manifest order; nil before `bound(to:applied:)`.
    let desired: [(name: String, value: EntryValue)]?
    /// Names of targets applied before that left the manifests: their entries go at the next write.
    let removed: Set<String>

    /// The file as observed and what it becomes: each target's observation payload, which its steps write.
    struct ObservedFile: Sendable, Hashable {
        var file: TargetsFile
        var info: FileInfo?
        var rendered: [UInt8]

        // The parsed file is made from its bytes: they stand for it.
        static func == (lhs: ObservedFile, rhs: ObservedFile) -> Bool {
            lhs.file.bytes == rhs.file.bytes && lhs.info == rhs.info && lhs.rendered == rhs.rendered
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(file.bytes)
            hasher.combine(rendered)
        }
    }

    public init(
        settings: Settings, fileSystem: some HostFileSystem, runner: some CommandRunner,
        http: some HTTPTransport, tcp: some TCPConnector = SocketConnector()
    ) {
        self.init(
            settings: settings, fileSystem: fileSystem, runner: runner,
            prober: TargetProber(http: http, tcp: tcp, runner: runner, fileSystem: fileSystem), desired: nil,
            removed: [])
    }

    /// A provider whose http probes use an `HTTPClient` that reads at most 1 MiB of a health answer.
    public init(settings: Settings, fileSystem: some HostFileSystem, runner: some CommandRunner) {
        var configuration = HTTPClient.Configuration()
        configuration.maxResponseBytes = 1 << 20
        configuration.connectTimeout = .seconds(5)
        self.init(
            settings: settings, fileSystem: fileSystem, runner: runner, http: HTTPClient(configuration: configuration))
    }

    init(
        settings: Settings, fileSystem: any HostFileSystem, runner: any CommandRunner, prober: TargetProber,
        desired: [(name: String, value: EntryValue)]?, removed: Set<String>
    ) {
        self.settings = settings
        self.fileSystem = fileSystem
        self.runner = runner
        self.prober = prober
        self.desired = desired
        self.removed = removed
    }

    public func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider {
        var entries: [(name: String, value: EntryValue)] = []
        for resource in desired {
            guard case .watchtowerTarget(let spec) = resource.spec else { continue }
            entries.append((resource.id.name, TargetEntry.value(name: resource.id.name, spec: spec)))
        }
        let names = Set(entries.map(\.name))
        let removed = Set(applied.keys.filter { $0.kind == .watchtowerTarget && !names.contains($0.name) }.map(\.name))
        return WatchtowerProvider(
            settings: settings, fileSystem: fileSystem, runner: runner, prober: prober, desired: entries,
            removed: removed)
    }

    /// One facet, `entry`: the target's entry as chainbot writes it.
    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        guard case .watchtowerTarget(let target) = spec else {
            throw ProviderError("the WatchtowerTarget provider cannot render \(spec.kind) '\(id.name)'")
        }
        return Rendered([
            Facet(TargetEntry.facet, .text(TargetEntry.text(TargetEntry.value(name: id.name, spec: target))))
        ])
    }

    /// When the file would change and this target's entry differs (or its resource is pruned): the
    /// whole file, then the reload command. Every target asks for the same two actions, which the plan
    /// holds once. The write names the bytes it was made from, so that it never lands on a later edit.
    public func steps(for request: StepRequest) -> [StepAction] {
        guard request.spec == nil || request.changes.contains(where: { $0.facet == TargetEntry.facet }),
            let current = request.observed.payload?.get(ObservedFile.self), current.rendered != current.file.bytes
        else { return [] }
        var write = FileWrite(
            path: settings.targetsPath, content: current.rendered, mode: current.info?.mode ?? 0o644,
            owner: current.info?.owner, group: current.info?.group)
        write.basedOn = SHA256.hex(SHA256.hash(current.file.bytes))
        return settings.reload.isEmpty ? [.writeFile(write)] : [.writeFile(write), .reload(argv: settings.reload)]
    }

    /// Writes the file through the filesystem seam, or runs the reload command.
    public func execute(_ action: StepAction) async throws(ProviderError) {
        switch action {
        case .writeFile(let write):
            guard write.path == settings.targetsPath else {
                throw ProviderError(
                    "the WatchtowerTarget provider writes only \(settings.targetsPath), not \(write.path)")
            }
            try checkUnchangedSinceObserved(write)
            try fileSystem.write(write)
        case .reload(let argv):
            guard let executable = argv.first else { return }
            let invocation = CommandInvocation(executable, Array(argv.dropFirst()), timeout: settings.reloadTimeout)
            let result: CommandResult
            do { result = try await runner.run(invocation) } catch {
                throw ProviderError("cannot reload Watchtower: \(error)", retryable: true)
            }
            guard result.succeeded else {
                throw ProviderError(
                    "reloading Watchtower failed: '\(invocation)' \(Self.describe(result.termination))",
                    detail: HostText.trimmed(result.errorOutput),
                    retryable: true)
            }
        case .removeFile, .daemonReload, .systemctl, .loadFirewall, .setHostname, .registerAgent, .deregisterAgent:
            throw ProviderError("the WatchtowerTarget provider cannot run '\(action)'")
        }
    }

    /// Refuses to write over an edit made between observe and apply: the write was rendered from the
    /// bytes observed then, and would silently undo it.
    private func checkUnchangedSinceObserved(_ write: FileWrite) throws(ProviderError) {
        guard let basedOn = write.basedOn else { return }
        let now = try fileSystem.read(write.path) ?? []
        guard SHA256.hex(SHA256.hash(now)) == basedOn || now == write.content else {
            throw ProviderError(
                "\(write.path) changed after chainbot read it; nothing was written, run again to merge the change",
                retryable: true)
        }
    }

    private static func describe(_ termination: CommandResult.Termination) -> String {
        switch termination {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "was killed by signal \(signal)"
        }
    }
}
