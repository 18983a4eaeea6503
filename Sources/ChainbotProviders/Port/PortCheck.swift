public import ChainbotCore

/// Decides whether a `Port` spec holds, given the host's listeners (pure: no I/O).
///
/// A listener *covers* the desired address when it is that address, or an any-address of a family that
/// includes it: `0.0.0.0` covers every IPv4 address; `::` covers every address of both families, because
/// /proc cannot tell an IPv6-only socket from a dual-stack one and Linux binds dual-stack by default.
/// Covering without being the address is `wider` (for the owner) or a conflict (for anyone else).
public enum PortCheck {
    /// Compares `spec` (port, protocol, address) with `listeners`; `ownerUnit` is the full unit name of the
    /// spec's owner (`chainbot.service`), or nil when any process may hold the port.
    public static func evaluate(spec: PortSpec, ownerUnit: String?, listeners: [Listener]) -> PortStatus {
        let wanted = ListenerAddress.normalized(spec.address)
        let onPort = listeners.filter { $0.networkProtocol == spec.networkProtocol && $0.port == spec.port }.sorted()
        let exact = onPort.filter { $0.address == wanted }
        let wider = onPort.filter { covers($0.address, wanted) && $0.address != wanted }
        let status = StatusWording(spec: spec, wanted: wanted, ownerUnit: ownerUnit)
        guard let ownerUnit else {
            if let listener = exact.first { return status.healthy(listener) }
            if let listener = wider.first { return status.wider(listener) }
            if let listener = onPort.first { return status.otherAddress(listener) }
            return status.nothingListening()
        }
        let isMine = { (listener: Listener) in listener.owners.contains { $0.unit == ownerUnit } }
        if let listener = exact.first(where: isMine) { return status.healthy(listener) }
        if let listener = wider.first(where: isMine) { return status.wider(listener) }
        if let listener = (exact + wider).first(where: { !isMine($0) }) {
            return listener.owners.isEmpty ? status.ownerUnknown(listener) : status.heldByOther(listener)
        }
        if let listener = onPort.first(where: isMine) { return status.otherAddress(listener) }
        return status.nothingListening()
    }

    /// The `word` of a healthy status for `spec`: what an observed word is compared with.
    public static func expectedWord(spec: PortSpec, ownerUnit: String?) -> String {
        word(ListenerAddress.endpoint(ListenerAddress.normalized(spec.address), port: spec.port), by: ownerUnit)
    }

    /// `ENDPOINT by NAME`, or the bare endpoint when there is no name.
    static func word(_ endpoint: String, by name: String?) -> String {
        name.map { "\(endpoint) by \($0)" } ?? endpoint
    }

    /// True when a socket bound to `listening` receives traffic sent to `wanted` (both normalized).
    static func covers(_ listening: String, _ wanted: String) -> Bool {
        if listening == wanted || listening == "::" { return true }
        return listening == "0.0.0.0" && !ListenerAddress.isIPv6(wanted)
    }
}

/// The messages and words of one evaluation.
private struct StatusWording {
    let spec: PortSpec
    let wanted: String
    let ownerUnit: String?

    /// `127.0.0.1:9000/tcp`, the desired listener.
    private var desired: String {
        ListenerAddress.endpoint(wanted, port: spec.port) + "/" + spec.networkProtocol.rawValue
    }

    func healthy(_ listener: Listener) -> PortStatus {
        let who = ownerUnit ?? owners(listener) ?? "a socket"
        return make(.healthy, listener, "\(who) listens on \(listener)", by: ownerUnit)
    }

    func nothingListening() -> PortStatus {
        PortStatus(
            kind: .nothingListening, listener: nil, message: "nothing listens on \(desired)",
            word: "(nothing listening)")
    }

    func heldByOther(_ listener: Listener) -> PortStatus {
        let holders = owners(listener) ?? "an unknown process"
        let message = "\(listener) is held by \(holders), not \(ownerUnit ?? "the owner")"
        return make(.heldByOther, listener, message, by: names(listener))
    }

    func ownerUnknown(_ listener: Listener) -> PortStatus {
        let why =
            listener.ownersComplete
            ? "no process (a kernel socket, or one closed during the scan)"
            : "a process whose descriptors cannot be read (\(listener.ownersUnreadable.map { "\($0); " } ?? "")not root?)"
        return make(
            .ownerUnknown, listener, "\(listener) is held by \(why), not \(ownerUnit ?? "the owner")", by: "(unknown)")
    }

    func wider(_ listener: Listener) -> PortStatus {
        let who = ownerUnit ?? owners(listener) ?? "a socket"
        return make(.wider, listener, "\(who) listens on \(listener), wider than \(wanted)", by: ownerUnit)
    }

    func otherAddress(_ listener: Listener) -> PortStatus {
        let who = ownerUnit ?? owners(listener) ?? "a socket"
        return make(
            .otherAddress, listener, "\(who) listens on \(listener), not \(desired)", by: ownerUnit ?? names(listener))
    }

    private func make(_ kind: PortStatus.Kind, _ listener: Listener, _ message: String, by name: String?) -> PortStatus
    {
        PortStatus(kind: kind, listener: listener, message: message, word: PortCheck.word(listener.endpoint, by: name))
    }

    /// `nginx (pid 610, unit nginx.service), nginx (pid 611, unit nginx.service)`; nil without owners.
    private func owners(_ listener: Listener) -> String? {
        listener.owners.isEmpty ? nil : listener.owners.map(\.description).joined(separator: ", ")
    }

    /// The distinct units (or commands, outside a service) of the owners, sorted: `nginx.service`.
    private func names(_ listener: Listener) -> String? {
        let names = Set(listener.owners.map { $0.unit ?? $0.command }).sorted()
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }
}
