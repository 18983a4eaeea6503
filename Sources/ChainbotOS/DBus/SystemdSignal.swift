/// What a message from systemd says changed, for `SystemdUnitMonitor`; the messages it asks for.
public enum SystemdSignal {
    static let manager = "org.freedesktop.systemd1.Manager"
    static let properties = "org.freedesktop.DBus.Properties"
    static let unitInterface = "org.freedesktop.systemd1.Unit"
    static let busName = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"

    /// The unit a signal is about: its name for `PropertiesChanged` on the generic Unit interface of a unit
    /// object (systemd sends one per change on it, and one more on the type's own interface, ignored
    /// here), `anyUnit` for `UnitFilesChanged` and for `Reloading(false)` (a daemon-reload finished); nil
    /// for anything else.
    public static func changedUnit(_ message: DBusMessage, anyUnit: String) -> String? {
        guard message.kind == .signal else { return nil }
        switch (message.interface, message.member) {
        case (properties, "PropertiesChanged"):
            guard case .string(unitInterface)? = message.body.first, let path = message.path else { return nil }
            return SystemdUnitPath.unitName(fromPath: path)
        case (manager, "UnitFilesChanged"):
            return message.path == managerPath ? anyUnit : nil
        case (manager, "Reloading"):
            guard message.path == managerPath, case .boolean(false)? = message.body.first else { return nil }
            return anyUnit
        default:
            return nil
        }
    }

    /// `Manager.Subscribe()`: without it systemd sends no unit signals to a bus client.
    static let subscribe = DBusMessage.methodCall(
        destination: busName, path: managerPath, interface: manager, member: "Subscribe")

    /// The bus match rules (`AddMatch`) for the signals `changedUnit` reads; a direct connection gets every
    /// signal without them.
    static let matchRules: [String] = [
        "type='signal',sender='\(busName)',interface='\(properties)',member='PropertiesChanged',"
            + "path_namespace='/org/freedesktop/systemd1/unit',arg0='\(unitInterface)'",
        "type='signal',sender='\(busName)',path='\(managerPath)',interface='\(manager)',member='UnitFilesChanged'",
        "type='signal',sender='\(busName)',path='\(managerPath)',interface='\(manager)',member='Reloading'",
    ]

    /// Asks systemd for unit signals on `connection`: through a bus, `Hello` and the match `rules` first
    /// (a direct connection gets every signal without them), then `Subscribe()`.
    static func subscribe(_ connection: inout DBusConnection, rules: [String] = matchRules) throws(DBusError) {
        if !SystemdUnitMonitor.isDirect(connection.path) {
            try connection.hello()
            for rule in rules { try connection.call(addMatch(rule)) }
        }
        try connection.call(subscribe)
    }

    /// `org.freedesktop.DBus.AddMatch(rule)`.
    static func addMatch(_ rule: String) -> DBusMessage {
        DBusMessage.methodCall(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus",
            member: "AddMatch", body: [.string(rule)])
    }
}
