public import ChainbotCore

/// A Service concerns its unit (state and unit file), the unit file chainbot writes, its drop-in folder
/// and the environment file it reads.
extension SystemdProvider: HostWatching {
    public func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints {
        guard case .service(let service) = spec else { return WatchPoints() }
        let unit = service.unitName
        var points = WatchPoints(units: [unit])
        if let file = try? SystemdPaths.unitFile(unit) { points.paths.append(file) }
        if let folder = try? SystemdPaths.dropInDirectory(unit) { points.directories.append(folder) }
        points.paths += spec.readsPaths
        return points
    }
}
