import Glibc
import Synchronization

/// Calls back with a unit's name as soon as systemd reports a change to it, by speaking D-Bus to systemd
/// over one socket of its own (no `busctl` child, no package dependency).
///
/// What it reports, on the monitor's own thread:
/// - `PropertiesChanged` on a unit object (`ActiveState`, `SubState`, … after `systemctl start/stop`, a
///   crash, a restart): the unit's name, decoded from its object path (`…/unit/web_2eservice` →
///   `web.service`). Several signals in one read are reported once each.
/// - `UnitFilesChanged` (enable, disable, mask, a unit file written through systemd) and the end of a
///   daemon-reload (`Reloading(false)`): `SystemdUnitMonitor.anyUnit`, meaning any unit may differ now.
///
/// When the connection ends (systemd re-executed or stopped, dbus restarted, a malformed message) it calls
/// `onLost` once with the reason and stops; the caller reconnects and resyncs. `stop()` ends it without
/// `onLost`.
///
/// Why systemd's direct socket by default, and D-Bus spoken here rather than `busctl monitor` streamed
/// (contrib/bench/dbus-monitor-bench.sh in the testbed, 2 vCPU, load 2-9, two runs, 300 restarts of one unit):
/// - `busctl --json=short monitor` sees only what systemd emits on the bus, which it does only while some
///   client is `Subscribe()`d on its own connection: 45 messages for a stop and a start while
///   systemd-logind was subscribed, 0 with logind stopped. It would need this subscription anyway, and it
///   costs a child (350-410 ms CPU for the storm's 5,400 messages) plus JSON parsing on top.
/// - direct and bus hear a `systemctl stop` equally soon (median 19-21 ms, max 42-50 ms from just before
///   systemctl started to the callback); both idle at 0 CPU and 0 wake-ups a minute (one blocking read).
/// - direct: 170-240 ms CPU for the storm, all in this process (every signal arrives, unfiltered; only each
///   one's first argument is decoded). Bus: 70-120 ms here plus 320-420 ms in dbus-daemon routing and matching.
/// - direct does not depend on dbus-daemon (a dbus restart does not lose it) but needs root and systemd's
///   pid namespace (systemd refuses a peer whose pid it cannot see), which the agent has.
public final class SystemdUnitMonitor: Sendable {
    /// systemd's direct socket (root only): no bus daemon in between, and every signal without a match rule.
    public static let privateSocket = "/run/systemd/private"
    /// The system bus; systemd emits unit signals on it only while some client is `Subscribe()`d.
    public static let systemBus = "/run/dbus/system_bus_socket"
    /// The name `onChange` receives when unit files changed or a daemon-reload finished: re-observe all.
    public static let anyUnit = "*"

    /// Whether `path` is a direct socket to systemd: one named `private`, as `/run/systemd/private` is
    /// (systemd's own rule too: sd-bus is told whether it talks to a bus, it does not probe); else a bus.
    public static func isDirect(_ path: String) -> Bool {
        path.split(separator: "/").last == "private"
    }

    private struct State {
        var stopped = false
        var closed = false
    }

    private let descriptor: Int32
    private let state = Mutex(State())
    /// Whether the connection goes through a bus daemon rather than straight to systemd.
    public let isBus: Bool

    /// Connects to `address` (a socket path or `unix:path=…`), subscribes, and starts the monitor's thread.
    public init(
        address: String = SystemdUnitMonitor.privateSocket,
        onChange: @escaping @Sendable (_ unitName: String) -> Void,
        onLost: @escaping @Sendable (_ why: String) -> Void
    ) throws(DBusError) {
        var connection = try DBusConnection(address: address)
        isBus = !Self.isDirect(connection.path)
        do {
            try SystemdSignal.subscribe(&connection)
            try connection.setReceiveTimeout(seconds: 0)
        } catch {
            connection.close()
            throw error
        }
        // The signals are told apart by their first argument; the rest (a PropertiesChanged carries ~40
        // properties, about 1 KB) is not decoded.
        connection.bodyValues = 1
        descriptor = connection.descriptor
        let monitor = self
        let subscribed = connection
        do {
            try DetachedThread.start(name: "cb-unit-monitor") {
                monitor.run(subscribed, onChange: onChange, onLost: onLost)
            }
        } catch {
            connection.close()
            throw DBusError.system(error)
        }
    }

    /// Ends the monitor: its thread closes the connection and returns; `onLost` is not called.
    public func stop() {
        state.withLock { state in
            state.stopped = true
            // Under the lock the thread cannot have closed (and the number been reused) in between.
            if !state.closed { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func run(
        _ connection: DBusConnection, onChange: @Sendable (String) -> Void, onLost: @Sendable (String) -> Void
    ) {
        var connection = connection
        var lost: String?
        while lost == nil {
            do {
                var names: [String] = []
                for message in try connection.receive() {
                    guard let name = SystemdSignal.changedUnit(message, anyUnit: Self.anyUnit) else { continue }
                    if !names.contains(name) { names.append(name) }
                }
                for name in names { onChange(name) }
            } catch {
                lost = error.description
            }
        }
        let wasStopped = state.withLock { state in
            state.closed = true
            connection.close()
            return state.stopped
        }
        if !wasStopped, let lost { onLost(lost) }
    }
}
