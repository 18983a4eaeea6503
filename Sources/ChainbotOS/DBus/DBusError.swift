/// Why talking D-Bus failed: the socket, the authentication, a malformed message or an error reply.
public enum DBusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call on the connection failed (connect, read, write).
    case system(SystemError)
    /// The peer closed the connection.
    case closed(address: String)
    /// The peer sent nothing within the receive timeout (while setting up).
    case timedOut(address: String)
    /// The SASL exchange did not end in `OK`; `reply` is what the peer sent instead.
    case authenticationRejected(address: String, reply: String)
    /// Bytes that are not a valid D-Bus message; `reason` says which rule they broke.
    case malformed(String)
    /// A value this implementation does not marshal (such as a unix fd), or a signature it cannot read.
    case unsupported(String)
    /// The peer answered a method call with an error: its name and first string argument.
    case errorReply(call: String, name: String, message: String)
    /// An address other than `unix:path=…` or an absolute path.
    case badAddress(String)

    public var description: String {
        switch self {
        case .system(let error): "D-Bus: \(error)"
        case .closed(let address): "D-Bus: \(address): connection closed by the peer"
        case .timedOut(let address): "D-Bus: \(address): no answer within the timeout"
        case .authenticationRejected(let address, let reply):
            "D-Bus: \(address): authentication rejected: \(reply)"
        case .malformed(let reason): "D-Bus: malformed message: \(reason)"
        case .unsupported(let what): "D-Bus: unsupported: \(what)"
        case .errorReply(let call, let name, let message): "D-Bus: \(call) failed: \(name): \(message)"
        case .badAddress(let address): "D-Bus: unsupported address '\(address)' (want unix:path=PATH or /PATH)"
        }
    }
}
