public import ChainbotCore

/// A WatchtowerTarget concerns Watchtower's targets file, which holds its entry.
extension WatchtowerProvider: HostWatching {
    public func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints {
        guard case .watchtowerTarget = spec else { return WatchPoints() }
        return WatchPoints(paths: [settings.targetsPath])
    }
}
