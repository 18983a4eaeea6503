public import ChainbotCore

extension WatchtowerProvider {
    /// Reads and parses the targets file once, works out what it becomes, and probes every desired
    /// target side by side (each bounded by its own timeout). A file that cannot be read, parsed or
    /// edited fails the whole observe with its path and line.
    public func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        let current = try readFile()
        let managed = current.file.managed
        let desiredNames = Set((desired ?? []).map(\.name))
        var probes: [ResourceID: ProbeResult] = [:]
        if settings.probes {
            probes = await probeAll(
                targets.compactMap { target in
                    guard case .watchtowerTarget(let spec) = target.spec,
                        desired == nil || desiredNames.contains(target.id.name)
                    else { return nil }
                    return (target.id, spec)
                })
        }
        var observed: [ResourceID: ObservedResource] = [:]
        for target in targets {
            guard case .watchtowerTarget = target.spec else { continue }
            guard let entry = managed[target.id.name] else {
                var missing = ObservedResource(
                    id: target.id, facets: [TargetEntry.facet: .absent], health: .missing,
                    healthReason: "no entry in \(settings.targetsPath)")
                missing.payload = ProviderPayload(current)
                observed[target.id] = missing
                continue
            }
            var resource = ObservedResource(
                id: target.id, facets: [TargetEntry.facet: .text(TargetEntry.text(entry.value))])
            resource.payload = ProviderPayload(current)
            if let probe = probes[target.id] {
                resource.health = probe.passed ? .healthy : .degraded
                resource.healthReason = probe.evidence
            } else if !settings.probes {
                resource.healthReason = "not probed (offline image)"
            }
            observed[target.id] = resource
        }
        return observed
    }

    /// The file as it is now, and as this run would write it.
    func readFile() throws(ProviderError) -> ObservedFile {
        let path = settings.targetsPath
        guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw ProviderError("Watchtower's targets file must be an absolute path without '..', not '\(path)'")
        }
        let info = try fileSystem.info(path)
        var file = TargetsFile(missingAt: path)
        if let info {
            guard info.type == .regular else {
                throw ProviderError("cannot manage Watchtower's targets file \(path): it is not a regular file")
            }
            if let bytes = try fileSystem.read(path) { file = try TargetsFile(path: path, bytes: bytes) }
        }
        let rendered = try file.rendering(desired ?? [], removing: removed)
        return ObservedFile(file: file, info: info, rendered: rendered)
    }

    private func probeAll(_ targets: [(ResourceID, WatchtowerTargetSpec)]) async -> [ResourceID: ProbeResult] {
        await withTaskGroup(of: (ResourceID, ProbeResult).self) { group in
            for (id, spec) in targets {
                group.addTask { (id, await prober.probe(spec)) }
            }
            var results: [ResourceID: ProbeResult] = [:]
            for await (id, result) in group { results[id] = result }
            return results
        }
    }
}
