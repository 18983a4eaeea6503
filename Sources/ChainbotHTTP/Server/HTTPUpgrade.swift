/// A response that switches protocols: after its head is written, the server hands the connection over to
/// `run`, on the connection's own thread, and closes it when `run` returns.
public struct HTTPUpgrade: Sendable {
    let run: @Sendable (UpgradedConnection) -> Void

    init(run: @escaping @Sendable (UpgradedConnection) -> Void) { self.run = run }
}

/// A connection after a `101 Switching Protocols`: the socket, the bytes already read past the request
/// (a client may send its first frame right behind the request), and whether the server is stopping.
struct UpgradedConnection: Sendable {
    let socket: Socket
    let leftover: [UInt8]
    let isStopping: @Sendable () -> Bool
}
