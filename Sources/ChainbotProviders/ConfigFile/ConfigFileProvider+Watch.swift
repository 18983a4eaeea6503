public import ChainbotCore

/// A ConfigFile concerns its own path.
extension ConfigFileProvider: HostWatching {
    public func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints {
        guard case .configFile(let file) = spec else { return WatchPoints() }
        return WatchPoints(paths: [file.path])
    }
}
