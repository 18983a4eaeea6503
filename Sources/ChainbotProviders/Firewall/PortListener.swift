public import ChainbotCore

/// One listening socket as the Port check needs it: where it listens and which process and unit hold it.
public struct PortListener: Sendable, Hashable {
    public var networkProtocol: NetworkProtocol
    /// Normalized bind address (`0.0.0.0`, `::`, `127.0.0.1`).
    public var address: String
    public var port: Int
    public var pid: Int32?
    public var command: String?
    public var unit: String?

    public init(
        networkProtocol: NetworkProtocol, address: String, port: Int, pid: Int32? = nil, command: String? = nil,
        unit: String? = nil
    ) {
        self.networkProtocol = networkProtocol
        self.address = address
        self.port = port
        self.pid = pid
        self.command = command
        self.unit = unit
    }

    /// What a healthy listener reads as: `127.0.0.1:9000/tcp by chainbot.service`.
    static func desiredWord(_ port: PortSpec, unit: String?) -> String {
        endpoint(port.address, port.port, port.networkProtocol) + (unit.map { " by \($0)" } ?? "")
    }

    static func endpoint(_ address: String, _ port: Int, _ proto: NetworkProtocol) -> String {
        (address.contains(":") ? "[\(address)]" : address) + ":\(port)/\(proto.rawValue)"
    }

    /// The outcome of checking one Port against the listeners.
    struct Status: Sendable, Hashable {
        var healthy: Bool
        /// The observed facet value (equal to `desiredWord` when healthy).
        var word: String
        /// One line for people when not healthy.
        var message: String
        /// The unit holding the port, when known.
        var ownerUnit: String?
    }

    static func evaluate(_ spec: PortSpec, unit: String?, listeners: [PortListener]) -> Status {
        let onPort = listeners.filter { $0.port == spec.port && $0.networkProtocol == spec.networkProtocol }
        let wanted = endpoint(spec.address, spec.port, spec.networkProtocol)
        guard !onPort.isEmpty else {
            return Status(healthy: false, word: "(nothing listening)", message: "nothing listens on \(wanted)")
        }
        func who(_ listener: PortListener) -> String {
            if let unit = listener.unit, listener.command == nil { return unit }
            let process = [listener.command, listener.pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: ", ")
            guard let unit = listener.unit else { return process.isEmpty ? "an unknown process" : process }
            return process.isEmpty ? unit : "\(unit) (\(process))"
        }
        let exact = onPort.first { $0.address == spec.address }
        let wildcard = onPort.first { isWildcard($0.address) && covers($0.address, spec.address) }
        guard let found = exact ?? wildcard ?? onPort.first else {
            return Status(healthy: false, word: "(nothing listening)", message: "nothing listens on \(wanted)")
        }
        let seen = endpoint(found.address, found.port, found.networkProtocol)
        if let unit, found.unit != unit {
            return Status(
                healthy: false, word: "\(seen) by \(who(found))",
                message: "\(seen) is held by \(who(found)), not \(unit)", ownerUnit: found.unit)
        }
        if found.address != spec.address {
            let wider = isWildcard(found.address) && !isWildcard(spec.address)
            return Status(
                healthy: false, word: "\(seen) by \(who(found))",
                message: wider
                    ? "\(who(found)) listens on \(seen), wider than \(spec.address)"
                    : "\(who(found)) listens on \(seen), not \(wanted)", ownerUnit: found.unit)
        }
        return Status(healthy: true, word: desiredWord(spec, unit: unit), message: "", ownerUnit: found.unit)
    }

    static func isWildcard(_ address: String) -> Bool { address == "0.0.0.0" || address == "::" }

    static func covers(_ wildcard: String, _ address: String) -> Bool {
        wildcard == "::" || !address.contains(":")
    }
}
