/// What on the host concerns one resource, so that the agent can queue it as soon as that changes instead
/// of at the next resync: the files chainbot writes for it, the systemd units it drives, the nftables
/// tables it loads, and the resources whose changes also concern it (a Port follows its owner's unit).
///
/// Providers declare these as data (`HostWatching`); the agent routes each host event to the resources
/// that declared it and knows no kind by name.
public struct WatchPoints: Sendable, Hashable {
    /// Host-absolute paths of files the resource owns or reads (the agent maps them under `--root`); any
    /// change to one, its creation or removal included, concerns the resource.
    public var paths: [String]
    /// Host-absolute paths of directories whose every entry belongs to the resource (a unit's drop-ins).
    public var directories: [String]
    /// systemd unit names (`web.service`) whose state or unit file changing concerns the resource.
    public var units: [String]
    /// nftables tables as `FAMILY NAME` (`inet chainbot`) whose rules changing concern the resource.
    public var nftTables: [String]
    /// Other resources whose host events also concern this one.
    public var follows: [ResourceID]

    public init(
        paths: [String] = [], directories: [String] = [], units: [String] = [], nftTables: [String] = [],
        follows: [ResourceID] = []
    ) {
        self.paths = paths
        self.directories = directories
        self.units = units
        self.nftTables = nftTables
        self.follows = follows
    }

    /// True when nothing is declared.
    public var isEmpty: Bool {
        paths.isEmpty && directories.isEmpty && units.isEmpty && nftTables.isEmpty && follows.isEmpty
    }

    /// `path` (host-absolute) as a real path under `root` ("/" on a live host).
    public static func real(_ path: String, root: String) -> String {
        root == "/" || root.isEmpty ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }
}

/// A provider that says what on the host concerns each of its resources (see `WatchPoints`).
public protocol HostWatching: Sendable {
    /// What concerns `id` with `spec`; reads nothing but the provider's settings (a file may not exist yet).
    func watchPoints(_ id: ResourceID, spec: ResourceSpec) -> WatchPoints
}
