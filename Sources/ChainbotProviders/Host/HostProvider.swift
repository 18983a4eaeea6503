public import ChainbotCore

/// Manages the `Host` kind: the Pi's own expectations (model, temperature, throttling, free disk and
/// memory), its `config.txt` keys and its host name.
///
/// Conditions are health, not changes: a crossed threshold makes the Host Degraded with the measurement
/// (the plan shows no change and no step for it), and a reading that cannot be made is unobserved. `bootConfig` keys are edited in `config.txt` keeping every
/// other byte (the firmware reads them at the next boot: chainbot marks *reboot required* and never
/// reboots). The host name is written to `/etc/hostname` and the `127.0.1.1` line of `/etc/hosts`, and in
/// `.live` mode set on the running kernel with `hostname NAME`.
///
/// `.offline` mode (`--root DIR`: an SD-card image, or a `chainbot snapshot`) runs no command: throttling
/// comes from `DIR/vcgencmd/get_throttled` and disk space from `DIR/statvfs` when a snapshot recorded them,
/// and a condition whose reading is not under `DIR` at all is unobserved, "not measurable in an image" (an
/// image has no sensors): the Host's sync is Unknown, not Synced, and no step is planned for it.
///
/// `steps` is pure but needs the bytes of the files it edits, so `observe` keeps them per resource in a
/// mutex-guarded cache, as `ConfigFileProvider` does with its rendered files.
public final class HostProvider: Provider {
    /// Whether there is a running Pi to ask.
    public enum Mode: Sendable, Hashable {
        /// The machine chainbot runs on: `vcgencmd`, `statvfs`, `hostname NAME`.
        case live
        /// An image or snapshot under the filesystem's root: files only.
        case offline
    }

    public let kinds: [Kind] = [.host]

    let fileSystem: any HostFileSystem
    let runner: any CommandRunner
    let mode: Mode
    let diskSpace: PiHardwareReader.DiskSpaceProbe?

    /// Makes a provider that reads and writes through `fileSystem`, runs `vcgencmd` and `hostname` through
    /// `runner` (live only), and measures disk space with `diskSpace` (offline: unless `/statvfs` is there).
    public init(
        fileSystem: some HostFileSystem, runner: some CommandRunner, mode: Mode,
        diskSpace: PiHardwareReader.DiskSpaceProbe? = nil
    ) {
        self.fileSystem = fileSystem
        self.runner = runner
        self.mode = mode
        self.diskSpace = diskSpace
    }

    /// The host name facets, one facet per owned `config.txt` key, and the observation-only conditions.
    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        guard case .host(let host) = spec else {
            throw ProviderError("\(id): the Host provider manages only Host resources")
        }
        // Offline too: a condition an image cannot show is observed as unobserved, never dropped.
        return Rendered(try desiredFacets(host))
    }

    /// The desired facets of `spec`; validates the host name and the boot config before anything else.
    func desiredFacets(_ spec: HostSpec) throws(ProviderError) -> [Facet] {
        if let name = spec.hostname { try Self.validateHostname(name) }
        try Self.validateBootConfig(spec.bootConfig)
        var facets: [Facet] = []
        if let name = spec.hostname {
            facets.append(Facet(Self.hostnameFacet, .word(name)))
            facets.append(Facet(Self.hostsFacet, .word(name)))
            if mode == .live { facets.append(Facet(Self.runningHostnameFacet, .word(name))) }
        }
        for section in spec.bootConfig {
            for entry in section.entries {
                facets.append(
                    Facet(Self.bootFacet(section.section, entry.key), Self.bootValue(entry.key, entry.values)))
            }
        }
        return facets + HostConditions.desired(spec)
    }

    /// Reads the hardware once per target, and the files the steps would edit.
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        var observed: [ResourceID: ObservedResource] = [:]
        for target in targets {
            guard case .host(let spec) = target.spec else { continue }
            observed[target.id] = try await observe(target.id, spec)
        }
        return observed
    }

    private func observe(_ id: ResourceID, _ spec: HostSpec) async throws(ProviderError) -> ObservedResource {
        let hardware = try await reader().read(diskPaths: spec.diskPaths)
        let files = try readFiles(spec)
        var facets: [String: FacetValue] = [:]
        if let name = spec.hostname {
            facets[Self.hostnameFacet] = hardware.hostname.map { FacetValue.word($0) } ?? .absent
            facets[Self.hostsFacet] = EtcHosts.observed(files.hosts?.bytes, wanting: name)
            if mode == .live {
                let running = try fileSystem.read("/proc/sys/kernel/hostname").map {
                    HostText.trimmed(String(decoding: $0, as: UTF8.self))
                }
                facets[Self.runningHostnameFacet] = running.map { FacetValue.word($0) } ?? .absent
            }
        }
        if !spec.bootConfig.isEmpty {
            let config = ConfigTxt(files.bootConfig?.bytes)
            for section in spec.bootConfig {
                for entry in section.entries {
                    let values = config.values(of: entry.key, in: section.section)
                    facets[Self.bootFacet(section.section, entry.key)] = Self.bootValue(entry.key, values)
                }
            }
        }
        var conditions = HostConditions(spec: spec, hardware: hardware)
        if mode == .offline {
            // An image has no readings; a snapshot has those it recorded.
            conditions.notMeasurable(try unmeasuredOffline(spec)) { Self.notMeasurableOffline($0) }
        }
        facets.merge(conditions.facets) { first, _ in first }
        let reboot = try fileSystem.read(Self.rebootMarker).map {
            "reboot required (" + HostText.trimmed(String(decoding: $0, as: UTF8.self)) + ")"
        }
        let (health, reason) = conditions.health(rebootRequired: reboot)
        var observed = ObservedResource(id: id, facets: facets, health: health, healthReason: reason)
        observed.unobserved = conditions.unobserved
        // The files as read: the steps edit these bytes (every other byte of config.txt kept).
        observed.payload = ProviderPayload(files)
        return observed
    }

    /// A hardware reader for this mode: live asks the machine; offline reads what a snapshot recorded.
    func reader() throws(ProviderError) -> PiHardwareReader {
        switch mode {
        case .live:
            return PiHardwareReader(fileSystem: fileSystem, runner: runner, diskSpace: diskSpace)
        case .offline:
            let recorded = try fileSystem.read(Self.recordedDiskSpacePath).map {
                Self.recordedDiskSpace(String(decoding: $0, as: UTF8.self))
            }
            return PiHardwareReader(
                fileSystem: fileSystem, runner: RecordedCommands(fileSystem: fileSystem), diskSpace: recorded)
        }
    }

    // MARK: - Facet names

    /// `/etc/hostname`.
    static let hostnameFacet = "hostname"
    /// The names on the `127.0.1.1` line of `/etc/hosts`.
    static let hostsFacet = "hosts 127.0.1.1"
    /// The kernel's host name (`/proc/sys/kernel/hostname`), live only.
    static let runningHostnameFacet = "running hostname"
    /// Written after a boot config change (live), gone at the next boot: `/run` is a tmpfs.
    static let rebootMarker = "/run/chainbot/reboot-required"
}

/// The files a Host's steps edit, as `observe` found them.
struct HostFiles: Sendable, Hashable {
    /// A file's path, bytes (nil: missing) and permission bits (nil: missing).
    struct File: Sendable, Hashable {
        var path: String
        var bytes: [UInt8]?
        var mode: UInt32?
    }

    var bootConfig: File?
    var hosts: File?
    /// `/etc/hostname` trimmed, the name the `127.0.1.1` line is expected to hold now.
    var hostname: String?
    var hostnameMode: UInt32?
}
