/// Reads properties of systemd units over D-Bus (`org.freedesktop.DBus.Properties.Get` on each unit's
/// object), every request sent before the first reply is read: one connection and one round of systemd's
/// work for all units, where `systemctl show` is a process that fetches every property of each unit.
///
/// A unit's object path is computed from its name, as `systemctl show` does; asking for it makes systemd
/// load the unit, so a unit without a file answers `LoadState` `not-found` like `systemctl show` does.
public enum SystemdUnitProperties {
    /// One property: the interface that has it and its name.
    public struct Property: Sendable, Hashable {
        public var interface: String
        public var name: String

        public init(_ interface: String, _ name: String) {
            self.interface = interface
            self.name = name
        }
    }

    /// The interface every unit has (`Id`, `LoadState`, `ActiveState`, …).
    public static let unitInterface = SystemdSignal.unitInterface

    /// The interface of the unit's own type, from its suffix: `org.freedesktop.systemd1.Service` for
    /// `web.service` (`Result`, `ExecMainStatus`, …).
    public static func typeInterface(ofUnit unit: String) -> String {
        let suffix = unit.split(separator: ".").last.map(String.init) ?? ""
        return "org.freedesktop.systemd1." + suffix.prefix(1).uppercased() + suffix.dropFirst()
    }

    /// Each unit's `properties`, by unit and property name; blocking, so never on one of Swift's cooperative
    /// threads. A property the unit's object does not have (a target has no `Result`) is missing; any
    /// other error reply, a lost connection or no reply within `timeoutSeconds` throws.
    public static func read(
        _ properties: [String: [Property]], address: String, timeoutSeconds: Int = 25
    ) throws(DBusError) -> [String: [String: DBusValue]] {
        var connection = try DBusConnection(address: address)
        defer { connection.close() }
        try connection.setReceiveTimeout(seconds: timeoutSeconds)
        var asked = try ask(properties, on: &connection)
        var values: [String: [String: DBusValue]] = [:]
        for unit in properties.keys { values[unit] = [:] }
        while !asked.isEmpty {
            for message in try connection.receive() { try take(message, asked: &asked, into: &values) }
        }
        return values
    }

    /// The requests sent for `ask`, by serial: which unit and property each reply answers.
    public typealias Asked = [UInt32: (unit: String, property: Property)]

    /// Sends a `Get` for each unit's `properties` on `connection`, all in one write before any reply is read.
    public static func ask(
        _ properties: [String: [Property]], on connection: inout DBusConnection
    ) throws(DBusError) -> Asked {
        var requests: [(unit: String, property: Property)] = []
        var messages: [DBusMessage] = []
        for (unit, wanted) in properties {
            let path = SystemdUnitPath.path(forUnit: unit)
            for property in wanted {
                requests.append((unit, property))
                messages.append(
                    .methodCall(
                        destination: SystemdSignal.busName, path: path, interface: SystemdSignal.properties,
                        member: "Get", body: [.string(property.interface), .string(property.name)]))
            }
        }
        var asked: Asked = [:]
        for (serial, request) in zip(try connection.send(all: messages), requests) { asked[serial] = request }
        return asked
    }

    /// Records `message` in `values` when it answers one of `asked` (and strikes it off), and returns the
    /// unit it answered for; nil for any other message (a signal).
    @discardableResult
    public static func take(
        _ message: DBusMessage, asked: inout Asked, into values: inout [String: [String: DBusValue]]
    ) throws(DBusError) -> String? {
        guard let serial = message.replySerial, let (unit, property) = asked.removeValue(forKey: serial) else {
            return nil
        }
        try record(message, unit: unit, property: property, into: &values)
        return unit
    }

    /// The same as `read`, on the process's `BlockingLane`; the task waits without holding a thread of
    /// the pool.
    public static func fetch(
        _ properties: [String: [Property]], address: String, timeoutSeconds: Int = 25
    ) async throws(DBusError) -> [String: [String: DBusValue]] {
        let result = await BlockingLane.shared.run {
            Result { () throws(DBusError) in try read(properties, address: address, timeoutSeconds: timeoutSeconds) }
        }
        return try result.get()
    }

    /// Error replies that only mean "this object has no such property".
    static let missing: Set<String> = [
        "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.UnknownProperty",
    ]

    private static func record(
        _ reply: DBusMessage, unit: String, property: Property, into values: inout [String: [String: DBusValue]]
    ) throws(DBusError) {
        switch reply.kind {
        case .methodReturn:
            guard case .variant(let value)? = reply.body.first else {
                throw .malformed("Get \(property.name) of \(unit): reply of signature '\(reply.bodySignature)'")
            }
            values[unit, default: [:]][property.name] = value
        case .error:
            let name = reply.errorName ?? ""
            if missing.contains(name) { return }
            throw .errorReply(
                call: "Get \(property.interface).\(property.name) of \(unit)", name: name,
                message: reply.body.first?.text ?? "")
        default:
            return
        }
    }
}
