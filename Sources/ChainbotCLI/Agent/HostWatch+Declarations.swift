import ChainbotCore

extension HostWatch {
    /// What each of `resources` declares through its kind's provider (`HostWatching`); kinds whose
    /// provider declares nothing are left to the resync.
    static func declarations(_ resources: [Resource], providers: [any Provider]) -> [ResourceID: WatchPoints] {
        var byKind: [Kind: any HostWatching] = [:]
        for provider in providers {
            guard let watching = provider as? any HostWatching else { continue }
            for kind in provider.kinds where byKind[kind] == nil { byKind[kind] = watching }
        }
        var declared: [ResourceID: WatchPoints] = [:]
        for resource in resources {
            guard let points = byKind[resource.id.kind]?.watchPoints(resource.id, spec: resource.spec),
                !points.isEmpty
            else { continue }
            declared[resource.id] = points
        }
        return declared
    }
}
