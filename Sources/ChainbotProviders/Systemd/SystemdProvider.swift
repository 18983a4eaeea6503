public import ChainbotCore

/// The `Service` kind's provider: writes unit files and drop-ins under `/etc/systemd/system`, and drives
/// `systemctl` to reload, enable, start, stop and restart them.
///
/// In `.live` mode it observes all units at once: over systemd's D-Bus socket (`UnitReads.dbus`), or
/// with one `systemctl show`. In `.offline` mode (`--root DIR`,
/// preparing an SD-card image) it never talks to a service manager: it reads files and the
/// `.wants` links, enables with `systemctl --root=DIR enable`, and has no `state` facet.
public struct SystemdProvider: Provider {
    /// Whether a service manager is there to talk to.
    public enum Mode: Sendable, Hashable {
        /// A running systemd: observe with `systemctl show`, start and stop units.
        case live
        /// An image under the filesystem's root: files and `systemctl --root=DIR enable|disable` only.
        case offline
    }

    let systemctl: Systemctl
    let fileSystem: any HostFileSystem
    let mode: Mode
    /// Over D-Bus when set (`UnitReads.dbus`), else with `systemctl`.
    let reader: UnitPropertyReader?
    /// Each desired service's `minUptime`, by unit name, once `bound` to a run; a unit not in it (or a
    /// provider not bound) settles after `ServiceSpec.defaultMinUptime`.
    var minUptimes: [String: Duration] = [:]

    /// `reads`: where a live provider reads units' properties (`UnitReads.live` for the running host).
    public init(runner: some CommandRunner, fileSystem: some HostFileSystem, mode: Mode, reads: UnitReads = .systemctl)
    {
        self.systemctl = Systemctl(runner: runner)
        self.fileSystem = fileSystem
        self.mode = mode
        if case .dbus(let address) = reads { reader = UnitPropertyReader(address: address) } else { reader = nil }
    }

    public var kinds: [Kind] { [.service] }

    /// This provider for one run: it knows how long each desired service must stay up after a start.
    public func bound(to desired: [Resource], applied: [ResourceID: ResourceSpec]) -> any Provider {
        var bound = self
        bound.minUptimes = [:]
        for resource in desired {
            guard let service = Self.service(resource.spec), let minUptime = service.minUptime else { continue }
            bound.minUptimes[service.unitName] = minUptime
        }
        return bound
    }

    /// The unit file, one facet per drop-in (`.absent` for drop-ins `previous` had and `spec` dropped),
    /// `enabled`, and in live mode `state`; live, a running service is restarted when a file it is notified
    /// by is written.
    public func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError)
        -> Rendered
    {
        guard case .service(let service) = spec else { throw notAService(id) }
        var rendered = Rendered(try renderFacets(id, service, previous: previous.flatMap(Self.service)))
        if mode == .live, service.state == .running {
            rendered.restartOnNotify = .systemctl(.restart, unit: service.unitName)
        }
        return rendered
    }

    /// The rendered facets of one service; pure.
    func renderFacets(_ id: ResourceID, _ service: ServiceSpec, previous: ServiceSpec?) throws(ProviderError)
        -> [Facet]
    {
        _ = try SystemdPaths.unitFile(service.unitName)
        var facets = [Facet(ServiceFacets.unitFile, .text(try Self.unitText(id, service)))]
        var wanted: Set<String> = []
        for dropIn in service.dropIns.sorted(by: { $0.name < $1.name }) {
            let fileName = try SystemdPaths.dropInFileName(dropIn.name)
            wanted.insert(fileName)
            facets.append(Facet(ServiceFacets.dropIn(fileName), .text(UnitText.normalize(dropIn.text))))
        }
        if let previous, previous.unitName == service.unitName {
            var dropped: Set<String> = []
            for dropIn in previous.dropIns {
                let fileName = try SystemdPaths.dropInFileName(dropIn.name)
                if !wanted.contains(fileName) { dropped.insert(fileName) }
            }
            facets += dropped.sorted().map { Facet(ServiceFacets.dropIn($0), .absent) }
        }
        let enabled: FacetValue =
            Self.install(service).isStatic
            ? ServiceFacets.isStatic : (service.enabled ? ServiceFacets.isEnabled : ServiceFacets.isDisabled)
        facets.append(Facet(ServiceFacets.enabled, enabled))
        if mode == .live {
            facets.append(
                Facet(ServiceFacets.state, service.state == .running ? ServiceFacets.running : ServiceFacets.stopped))
        }
        return facets
    }

    /// The unit file text: rendered from structure, or the raw text normalized.
    static func unitText(_ id: ResourceID, _ service: ServiceSpec) throws(ProviderError) -> String {
        switch service.definition {
        case .structured(let unit): try UnitRenderer(id: id).render(unit)
        case .raw(let text): UnitText.normalize(text)
        }
    }

    /// The install section the unit will have once written.
    static func install(_ service: ServiceSpec) -> InstallSection {
        switch service.definition {
        case .structured(let unit): InstallSection(unit)
        case .raw(let text): InstallSection(parsing: text)
        }
    }

    static func service(_ spec: ResourceSpec) -> ServiceSpec? {
        if case .service(let service) = spec { return service }
        return nil
    }

    func notAService(_ id: ResourceID) -> ProviderError {
        ProviderError("\(id): the systemd provider manages only Service resources")
    }
}
