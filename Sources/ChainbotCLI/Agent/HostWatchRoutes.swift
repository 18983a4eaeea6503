import ChainbotCore
import ChainbotOS

/// One change on the host, as a monitor reports it.
enum HostEvent: Sendable, Hashable {
    /// A path inotify named (a file written, renamed into place, removed; a directory made or removed).
    case file(String)
    /// A systemd unit whose state or unit file changed (`web.service`); `*` for any (unit files changed, a
    /// daemon-reload finished).
    case unit(String)
    /// An nftables table whose ruleset changed (`inet chainbot`).
    case nftTable(String)
}

/// Which resources each host path, unit and nftables table concerns, built from what the providers
/// declared (`WatchPoints`), with `follows` folded in: an event routes to the resources that declared
/// it and to those that follow them.
struct HostWatchRoutes: Sendable, Hashable {
    /// Real paths (under `--root`) of owned files.
    private(set) var paths: [String: Set<ResourceID>] = [:]
    /// Real paths of directories whose every entry is owned.
    private(set) var directories: [String: Set<ResourceID>] = [:]
    private(set) var units: [String: Set<ResourceID>] = [:]
    private(set) var tables: [String: Set<ResourceID>] = [:]

    init() {}

    /// The routes for `declared`; host paths are taken under `root` ("/" on a live host). Under another root
    /// (an image prepared offline) only files are watched: the running systemd and nftables are not the
    /// image's.
    init(_ declared: [ResourceID: WatchPoints], root: String = "/") {
        let live = root == "/" || root.isEmpty
        var followers: [ResourceID: Set<ResourceID>] = [:]
        for (id, points) in declared {
            for leader in points.follows where leader != id { followers[leader, default: []].insert(id) }
        }
        for (id, points) in declared {
            let owners = Set([id]).union(followers[id] ?? [])
            for path in points.paths { paths[WatchPoints.real(path, root: root), default: []].formUnion(owners) }
            for path in points.directories {
                directories[WatchPoints.real(path, root: root), default: []].formUnion(owners)
            }
            guard live else { continue }
            for unit in points.units { units[unit, default: []].formUnion(owners) }
            for table in points.nftTables { tables[table, default: []].formUnion(owners) }
        }
    }

    /// The resources `event` concerns; empty for one nobody declared (another file in a watched folder).
    func route(_ event: HostEvent) -> Set<ResourceID> {
        switch event {
        case .unit(SystemdUnitMonitor.anyUnit): return units.values.reduce(into: []) { $0.formUnion($1) }
        case .unit(let name): return units[name] ?? []
        case .nftTable(let table): return tables[table] ?? []
        case .file(let path): return route(path: path)
        }
    }

    private func route(path: String) -> Set<ResourceID> {
        var owners = paths[path] ?? []
        owners.formUnion(directories[path] ?? [])
        owners.formUnion(directories[FileWatcher.parentDirectory(of: path)] ?? [])
        // A directory on the way to owned paths was made, moved or removed: each of them may have changed.
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for (owned, ids) in paths where owned.hasPrefix(prefix) { owners.formUnion(ids) }
        for (owned, ids) in directories where owned.hasPrefix(prefix) { owners.formUnion(ids) }
        return owners
    }

    /// The owned file paths, sorted (what the file watcher watches through their parents).
    var watchedPaths: [String] { paths.keys.sorted() }
    /// The owned directories, sorted.
    var watchedDirectories: [String] { directories.keys.sorted() }
    /// The declared systemd units, sorted.
    var watchedUnits: [String] { units.keys.sorted() }
    /// The declared nftables tables, sorted.
    var watchedTables: [String] { tables.keys.sorted() }
}
