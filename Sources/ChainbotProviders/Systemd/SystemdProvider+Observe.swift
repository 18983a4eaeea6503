public import ChainbotCore

extension SystemdProvider {
    /// Reads every target's unit file and drop-ins, and in live mode every unit's state at once (`show`); in offline mode reads the `.wants`/`.requires` links instead.
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        var order: [ResourceID] = []
        var specs: [ResourceID: [ServiceSpec]] = [:]
        for target in targets {
            guard let service = Self.service(target.spec) else { throw notAService(target.id) }
            if specs[target.id] == nil { order.append(target.id) }
            specs[target.id, default: []].append(service)
        }
        var units: [String] = []
        for id in order {
            // The first target's spec (the desired one, when there is one) says which unit to look at.
            guard let unit = specs[id]?.first?.unitName else { continue }
            _ = try SystemdPaths.unitFile(unit)
            if !units.contains(unit) { units.append(unit) }
        }
        let statuses = mode == .live && !units.isEmpty ? try await show(units) : [:]

        var observed: [ResourceID: ObservedResource] = [:]
        for id in order {
            guard let services = specs[id], let service = services.first else { continue }
            // A unit file or drop-in that cannot be read (a FIFO, a device) fails this Service alone.
            var facets: [String: FacetValue]
            do {
                facets = try fileFacets(service.unitName, managedDropIns: services.flatMap(\.dropIns))
            } catch {
                observed[id] = ObservedResource(id: id, failure: error)
                continue
            }
            switch mode {
            case .live:
                let status = statuses[service.unitName] ?? UnitStatus()
                facets[ServiceFacets.enabled] = status.enabled
                facets[ServiceFacets.state] = status.state
                let (health, reason) = status.health
                var resource = ObservedResource(id: id, facets: facets, health: health, healthReason: reason)
                resource.payload = ProviderPayload(status.observation)
                observed[id] = resource
            case .offline:
                let fileExists = facets[ServiceFacets.unitFile] != .absent
                facets[ServiceFacets.enabled] = try offlineEnabled(service, fileExists: fileExists)
                observed[id] = ObservedResource(
                    id: id, facets: facets, health: fileExists ? .unknown : .missing,
                    healthReason: fileExists ? "offline (--root): not running" : "unit file not found")
            }
        }
        return observed
    }

    /// Reads `UnitStatus.properties` of every unit in one D-Bus exchange, or (no D-Bus, or it failed)
    /// runs `systemctl show --property=… -- UNIT…` once and splits its output per unit.
    func show(_ units: [String]) async throws(ProviderError) -> [String: UnitStatus] {
        if let statuses = await reader?.statuses(units, UnitStatus.properties) { return statuses }
        let arguments = ["show", "--property=" + UnitStatus.properties.joined(separator: ","), "--"] + units
        do {
            let result = try await systemctl.run(arguments, timeout: Systemctl.quickTimeout, summary: "systemctl show")
            return SystemctlShowParser.statuses(result.output, units: units)
        } catch {
            throw try explainedShowFailure(error)
        }
    }

    /// Adds the likely cause to a failed `systemctl show`: without `/run/systemd/system` (what
    /// `sd_booted()` checks) systemd is not the init system, and only `--root DIR` can work.
    private func explainedShowFailure(_ error: ProviderError) throws(ProviderError) -> ProviderError {
        guard try fileSystem.info("/run/systemd/system") == nil else { return error }
        var explained = error
        explained.message += " (is systemd running? use --root DIR to prepare an image offline)"
        explained.retryable = false
        return explained
    }

    /// The unit file facet and one facet per drop-in: those the specs name and any other `*.conf` already
    /// in `UNIT.d/` (so a drop-in taken out of the manifests is seen and removed).
    func fileFacets(_ unit: String, managedDropIns: [NamedText]) throws(ProviderError) -> [String: FacetValue] {
        var facets: [String: FacetValue] = [:]
        facets[ServiceFacets.unitFile] = try readText(SystemdPaths.unitFile(unit))
        var fileNames: Set<String> = []
        for dropIn in managedDropIns { fileNames.insert(try SystemdPaths.dropInFileName(dropIn.name)) }
        for name in try fileSystem.list(SystemdPaths.dropInDirectory(unit)) {
            if (try? SystemdPaths.validateDropInFileName(name)) != nil { fileNames.insert(name) }
        }
        for fileName in fileNames {
            let path = try SystemdPaths.dropInFile(unit: unit, fileName: fileName)
            facets[ServiceFacets.dropIn(fileName)] = try readText(path)
        }
        return facets
    }

    /// The normalized text of a file, or `.absent`.
    /// The file's normalized text; `maskedFile` for a link to `/dev/null`, which is not read.
    private func readText(_ path: String) throws(ProviderError) -> FacetValue {
        if try fileSystem.readLink(path) == "/dev/null" { return ServiceFacets.maskedFile }
        guard let bytes = try fileSystem.read(path) else { return .absent }
        return .text(UnitText.normalize(bytes))
    }

    /// The `enabled` facet from the image: `masked` for a link to /dev/null, `static` without install
    /// settings, `enabled` when every install target has its link, else `disabled`; absent when neither the
    /// unit file nor any link exists.
    func offlineEnabled(_ service: ServiceSpec, fileExists: Bool) throws(ProviderError) -> FacetValue {
        let unitPath = try SystemdPaths.unitFile(service.unitName)
        if try fileSystem.readLink(unitPath) == "/dev/null" { return ServiceFacets.isMasked }
        let install = Self.install(service)
        // A target name no path can be built from (raw text with `%i`, say) is not looked for.
        let links = install.targets.compactMap { try? SystemdPaths.installLink(unit: service.unitName, target: $0) }
        var linked = 0
        for link in links where try fileSystem.info(link) != nil { linked += 1 }
        if !fileExists && linked == 0 { return .absent }
        if install.isStatic { return ServiceFacets.isStatic }
        return linked == links.count && linked > 0 ? ServiceFacets.isEnabled : ServiceFacets.isDisabled
    }
}
