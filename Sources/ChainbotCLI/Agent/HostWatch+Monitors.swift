import ChainbotCore
import ChainbotOS

/// A running subscription to one kind of host change; `stop` ends it.
protocol HostMonitor: Sendable {
    func stop()
}

/// How the agent starts one kind of monitor, as data: `HostWatch` starts each whose `key` is not empty for
/// the routes in force, starts it again when its key changes (the file watcher, when the owned paths
/// change), and again after it reports a loss (then queues everything: a full resync).
///
/// A new source of host events is one more value in `HostMonitorStarter.live`: its `start` gets the routes,
/// the sink for events and the sink for a loss.
struct HostMonitorStarter: Sendable {
    /// Named in the log (`file watcher`, `nft monitor`).
    var name: String
    /// What the monitor depends on in the routes; empty: not needed now.
    var key: @Sendable (HostWatchRoutes) -> [String]
    var start:
        @Sendable (
            _ routes: HostWatchRoutes, _ onEvent: @escaping @Sendable (HostEvent) -> Void,
            _ onLost: @escaping @Sendable (String) -> Void
        ) throws -> any HostMonitor
}

extension HostMonitorStarter {
    /// The monitors of a live agent: files, nftables and systemd's unit signals (over its direct socket;
    /// measured idle in the testbed with 100 resources: 3.0 s CPU per hour with it, 2.4 without, at 10 ms
    /// resolution one tick apart; the same 67–68 wake-ups a minute, one thread more).
    static let live: [HostMonitorStarter] = [files, nftables, systemdUnits]

    /// inotify on every owned file (through its parent) and owned directory.
    static let files = HostMonitorStarter(
        name: "file watcher", key: { $0.watchedPaths + $0.watchedDirectories.map { $0 + "/" } },
        start: { routes, onEvent, onLost in
            try FileWatcher(
                ownedPaths: routes.watchedPaths, directories: routes.watchedDirectories,
                onChange: { onEvent(.file($0)) }, onLost: onLost)
        })

    /// `nft monitor`, when some resource declared an nftables table.
    static let nftables = HostMonitorStarter(
        name: "nft monitor", key: { $0.watchedTables.isEmpty ? [] : ["nft"] },
        start: { _, onEvent, onLost in
            try NftMonitor(onChange: { onEvent(.nftTable($0)) }, onLost: onLost)
        })

    /// systemd's unit signals over D-Bus (`SystemdUnitMonitor`), when some resource declared a unit.
    static let systemdUnits = HostMonitorStarter(
        name: "systemd unit monitor", key: { $0.watchedUnits.isEmpty ? [] : ["units"] },
        start: { _, onEvent, onLost in
            try SystemdUnitMonitor(onChange: { onEvent(.unit($0)) }, onLost: onLost)
        })
}

extension FileWatcher: HostMonitor {}
extension SystemdUnitMonitor: HostMonitor {}
extension NftMonitor: HostMonitor {}
