import Glibc
import Synchronization

/// The server's open connections: which are idle between requests, which are busy, and whether the
/// server is stopping. Threads register and leave; `stop` shuts sockets down to wake them.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var socket: Socket
        var peer: String
        var busy = false
        /// Whether a request was served: a new connection's first request is already on its way.
        var served = false
        var task: Task<Void, Never>?
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextID = 0
        var stopping = false
        var forced = false
        var acceptRunning = true
    }

    /// Why a connection was not taken.
    enum Refusal: Error, Equatable {
        /// The server is stopping, or every slot is taken (for this peer, the slots left are kept for loopback).
        case full
        /// The peer has its share of connections open already.
        case peerBudget
    }

    private let state = Mutex(State())
    let maxConnections: Int
    let maxConnectionsPerPeer: Int
    let loopbackReserve: Int

    init(maxConnections: Int, maxConnectionsPerPeer: Int? = nil, loopbackReserve: Int = 0) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerPeer = maxConnectionsPerPeer ?? maxConnections
        self.loopbackReserve = loopbackReserve
    }

    var isStopping: Bool { state.withLock { $0.stopping } }
    var isForced: Bool { state.withLock { $0.forced } }
    var isFinished: Bool { state.withLock { !$0.acceptRunning && $0.entries.isEmpty } }
    var count: Int { state.withLock { $0.entries.count } }

    /// Registers a new connection from `peer` (its address); refused when stopping, at the limit, when
    /// only the slots kept for loopback peers are left and `peer` is not one, or when `peer` has its
    /// budget open already.
    func add(_ socket: Socket, peer: String) -> Result<Int, Refusal> {
        state.withLock {
            let open = $0.entries.count
            let limit = Self.isLoopback(peer) ? maxConnections : maxConnections - loopbackReserve
            guard !$0.stopping, open < limit else { return .failure(.full) }
            let key = Self.budgetKey(peer)
            guard $0.entries.values.count(where: { $0.peer == key }) < maxConnectionsPerPeer else {
                return .failure(.peerBudget)
            }
            let id = $0.nextID
            $0.nextID += 1
            $0.entries[id] = Entry(socket: socket, peer: key)
            return .success(id)
        }
    }

    /// What a peer's budget is counted by: its IPv4 address, or its IPv6 /64 (one host usually has a whole
    /// /64, so counting single IPv6 addresses would give it as many budgets as it likes).
    static func budgetKey(_ address: String) -> String {
        guard address.contains(":"), address != "::1" else { return address }
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 8..<16 { raw[index] = 0 }
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else { return address }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/64"
    }

    /// Whether `address` is a loopback address (`127.0.0.0/8`, `::1`).
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1"
    }

    func remove(_ id: Int) { _ = state.withLock { $0.entries.removeValue(forKey: id) } }

    func acceptEnded() { state.withLock { $0.acceptRunning = false } }

    /// Marks a connection busy with a request; false when the server is stopping (then close it), except
    /// for a connection's first request, accepted before the stop and answered.
    func markBusy(_ id: Int) -> Bool {
        state.withLock {
            guard !$0.stopping || $0.entries[id]?.served == false else { return false }
            $0.entries[id]?.busy = true
            return true
        }
    }

    /// Marks a connection idle between requests; false when the server is stopping (then close it).
    func markIdle(_ id: Int) -> Bool {
        state.withLock {
            $0.entries[id]?.busy = false
            $0.entries[id]?.served = true
            $0.entries[id]?.task = nil
            return !$0.stopping
        }
    }

    /// Remembers the task running a handler or a stream, so a forced stop can cancel it.
    func setTask(_ task: Task<Void, Never>, for id: Int) {
        state.withLock {
            $0.entries[id]?.task = task
            if $0.forced { task.cancel() }
        }
    }

    /// Stops new connections and wakes the idle ones, which then close (new ones get their first request
    /// answered, until a forced close).
    func beginStop() {
        state.withLock {
            $0.stopping = true
            for entry in $0.entries.values where !entry.busy && entry.served { entry.socket.shutdown() }
        }
    }

    /// Shuts every connection down and cancels every handler and stream still running.
    func forceClose() {
        state.withLock {
            $0.forced = true
            for entry in $0.entries.values {
                entry.socket.shutdown()
                entry.task?.cancel()
            }
        }
    }
}
