public import ChainbotCore

/// Manages `ConfigFile` resources: files chainbot owns, written atomically with their mode and owner.
///
/// Three seams: `fileSystem` is the host being configured (under `--root`), `sources` is where
/// `.source` files beside the manifests are read (the real filesystem, rooted at "/"), and `secrets`
/// reads `secretRef` values. Only `render` reads sources and secrets.
///
/// `steps` is pure and writes the bytes `render` made, which the engine hands back in the request (the
/// payload holds secret values only as long as the run holds the request); without them it renders again
/// where that needs no I/O (inline text, env without secrets).
public struct ConfigFileProvider: Provider {
    public let kinds: [Kind] = [.configFile]

    private let fileSystem: any HostFileSystem
    private let renderer: ConfigFileRenderer

    /// Makes a provider that writes through `fileSystem`, reads `.source` files through `sources` and
    /// secret values through `secrets`.
    public init(fileSystem: some HostFileSystem, sources: some HostFileSystem, secrets: SecretReader) {
        self.fileSystem = fileSystem
        self.renderer = ConfigFileRenderer(sources: sources, secrets: secrets)
    }

    /// The facets `content`, `mode`, and `owner`/`group` when the spec sets them; reads sources and secrets.
    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        guard case .configFile(let fileSpec) = spec else {
            throw ProviderError("the ConfigFile provider cannot render \(spec.kind) '\(id.name)'")
        }
        try checkAccounts(fileSpec)
        let file = try renderer.render(fileSpec)
        return Rendered(ConfigFileFacets.desired(file), payload: file)
    }

    /// An owner or group the host does not know fails when the plan is made, not half-way through the
    /// apply (retryable: the account may be created later, by a package or by hand).
    private func checkAccounts(_ spec: ConfigFileSpec) throws(ProviderError) {
        for (name, isGroup) in [(spec.owner, false), (spec.group, true)] {
            guard let name, fileSystem.knowsAccount(name, group: isGroup) == false else { continue }
            let table = isGroup ? "/etc/group" : "/etc/passwd"
            let place = fileSystem.root == "/" ? "on this host" : "in the image \(fileSystem.root)"
            throw ProviderError(
                "\(isGroup ? "group" : "owner") '\(name)' of \(spec.path) does not exist \(place) (not in \(table)); create it, or change the manifest",
                retryable: true, code: .notFound)
        }
    }

    /// Looks at each target's path: content (as a digest when the spec or the last-applied one holds a
    /// secret), mode, owner, group.
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        var observed: [ResourceID: ObservedResource] = [:]
        for target in targets {
            guard case .configFile(let spec) = target.spec else { continue }
            // A file rendered from secrets before (an earlier spec's env secretRefs) still holds them.
            var secret = ConfigFileFacets.holdsSecret(spec)
            if case .configFile(let previous)? = target.previous, ConfigFileFacets.holdsSecret(previous) {
                secret = true
            }
            // A path that cannot be managed (a directory, a FIFO) or read fails this file alone.
            do {
                observed[target.id] = try observe(target.id, spec, secret: secret)
            } catch {
                observed[target.id] = ObservedResource(id: target.id, failure: error)
            }
        }
        return observed
    }

    /// One write when content, mode, owner or group differ (a mode-only change rewrites too: one atomic
    /// path for every change); when the path moved, the old file is removed after the new one is written.
    /// A prune removes the file if it is there.
    public func steps(for request: StepRequest) -> [StepAction] {
        var oldPath: String?
        if case .configFile(let previousSpec) = request.previous { oldPath = previousSpec.path }
        guard let spec = request.spec else {
            guard let oldPath, !request.observed.isAbsent else { return [] }
            return [.removeFile(path: oldPath)]
        }
        guard case .configFile(let fileSpec) = spec,
            request.changes.contains(where: { ConfigFileFacets.names.contains($0.facet) }),
            let file = renderedFile(request.rendered, fileSpec)
        else { return [] }
        var actions: [StepAction] = [
            .writeFile(
                FileWrite(
                    path: fileSpec.path, content: file.bytes, mode: fileSpec.mode, owner: fileSpec.owner,
                    group: fileSpec.group))
        ]
        if let oldPath, oldPath != fileSpec.path { actions.append(.removeFile(path: oldPath)) }
        return actions
    }

    /// Writes or removes a file through the filesystem seam.
    public func execute(_ action: StepAction) async throws(ProviderError) {
        switch action {
        case .writeFile(let file): try fileSystem.write(file)
        case .removeFile(let path): try fileSystem.remove(path)
        case .daemonReload, .systemctl, .loadFirewall, .setHostname, .reload, .registerAgent, .deregisterAgent:
            throw ProviderError("the ConfigFile provider cannot run '\(action)'")
        }
    }

    /// The observed state of the file at `spec.path`.
    private func observe(_ id: ResourceID, _ spec: ConfigFileSpec, secret: Bool) throws(ProviderError)
        -> ObservedResource
    {
        let missing = ObservedResource(
            id: id, facets: ConfigFileFacets.absent, health: .missing, healthReason: "no file at \(spec.path)")
        guard let info = try fileSystem.info(spec.path) else { return missing }
        let content: FacetValue
        switch info.type {
        case .regular:
            // Gone between lstat and open: as good as never there.
            guard let bytes = try fileSystem.read(spec.path) else { return missing }
            content = ConfigFileFacets.contentValue(bytes, secret: secret)
        case .symlink:
            // Writing replaces the link with a file; until then the link itself is what is there.
            content = .word("symbolic link to \(try fileSystem.readLink(spec.path) ?? "?")")
        case .directory:
            throw ProviderError("cannot manage \(spec.path): it is a directory, not a file")
        case .other:
            throw ProviderError("cannot manage \(spec.path): it is not a regular file")
        }
        return ObservedResource(id: id, facets: ConfigFileFacets.observed(info, content: content), health: .healthy)
    }

    /// The bytes `render` made for this exact spec, or a fresh I/O-free render; nil when neither is possible.
    private func renderedFile(_ rendered: Rendered?, _ spec: ConfigFileSpec) -> RenderedFile? {
        if let file = rendered?.payload?.get(RenderedFile.self), file.spec == spec { return file }
        return try? ConfigFileRenderer.renderInline(spec)
    }
}
