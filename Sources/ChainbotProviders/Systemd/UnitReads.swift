import ChainbotOS
import Glibc

/// Where `SystemdProvider` reads units' properties from, live.
public enum UnitReads: Sendable, Hashable {
    /// `systemctl show` for an observation, `systemctl list-units` while started units settle: a process
    /// each time.
    case systemctl
    /// systemd's D-Bus socket at `address` (`/run/systemd/private`), one pipelined exchange for all units
    /// (a no-op `diff` of 20 units in 26 ms instead of 60, BENCHMARKS.md); `systemctl` whenever that socket
    /// cannot be used (not root, no systemd, a refused connection) or an exchange fails.
    case dbus(address: String)

    /// systemd's direct socket when this process can use it (root, and the socket is there), else
    /// `systemctl`.
    public static func live(environment: [String: String]) -> UnitReads {
        if environment["CHAINBOT_SYSTEMD_READS"] == "systemctl" { return .systemctl }
        let socket = SystemdUnitMonitor.privateSocket
        return getuid() == 0 && access(socket, F_OK) == 0 ? .dbus(address: socket) : .systemctl
    }
}

/// Units' properties as `systemctl show` prints them, read over D-Bus (`UnitReads.dbus`): the same
/// `Key=value` texts, so `UnitStatus` reads both alike.
struct UnitPropertyReader: Sendable {
    let address: String

    /// Each unit's `names` (properties in systemd's spelling; those of `typeProperties` from the unit
    /// type's own interface, the rest from the Unit interface); nil when D-Bus could not answer, for the
    /// caller to ask `systemctl` instead.
    func statuses(_ units: [String], _ names: [String]) async -> [String: UnitStatus]? {
        var wanted: [String: [SystemdUnitProperties.Property]] = [:]
        for unit in units {
            let typeInterface = SystemdUnitProperties.typeInterface(ofUnit: unit)
            wanted[unit] = names.map { name in
                .init(Self.typeProperties.contains(name) ? typeInterface : SystemdUnitProperties.unitInterface, name)
            }
        }
        guard let values = try? await SystemdUnitProperties.fetch(wanted, address: address) else { return nil }
        var statuses: [String: UnitStatus] = [:]
        for unit in units {
            var texts: [String: String] = [:]
            for (name, value) in values[unit] ?? [:] { texts[name] = Self.text(value) }
            statuses[unit] = UnitStatus(texts)
        }
        return statuses
    }

    /// The properties `UnitStatus` reads that live on a unit type's interface (`Service`, `Socket`, …).
    static let typeProperties: Set<String> = ["ExecMainStatus", "Result"]

    /// A value as `systemctl show` prints it: booleans `yes`/`no`, numbers in decimal, string arrays
    /// separated by spaces; nil for shapes `UnitStatus` never reads.
    static func text(_ value: DBusValue) -> String? {
        switch value {
        case .string(let text), .objectPath(let text), .signature(let text): text
        case .boolean(let flag): flag ? "yes" : "no"
        case .byte(let number): String(number)
        case .int16(let number): String(number)
        case .uint16(let number): String(number)
        case .int32(let number): String(number)
        case .uint32(let number): String(number)
        case .int64(let number): String(number)
        case .uint64(let number): String(number)
        case .array(_, let elements): elements.compactMap(text).joined(separator: " ")
        case .variant(let inner): text(inner)
        case .double, .structure, .dictEntry: nil
        }
    }
}
