public import ChainbotCore

/// A Host with `bootConfig` keys concerns `config.txt` (either place it may be); `hostname`, `/etc/hostname` and `/etc/hosts`.
extension HostProvider: HostWatching {
    public func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints {
        guard case .host(let host) = spec else { return WatchPoints() }
        var points = WatchPoints()
        if !host.bootConfig.isEmpty { points.paths += Self.bootConfigPaths }
        if host.hostname != nil { points.paths += ["/etc/hostname", "/etc/hosts"] }
        return points
    }
}
