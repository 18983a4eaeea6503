import ChainbotCore
import ChainbotHTTP
import Glibc

/// Opens a TCP connection to see whether something listens: the seam for `tcp` probes.
public protocol TCPConnector: Sendable {
    /// Connects to `host:port` and closes again; nil when it connected, else why not in a few words
    /// (`refused`, `timed out after 2s`, `No route to host`).
    func connect(host: String, port: Int, timeout: Duration) async -> String?
}

/// Connects with the HTTP module's connect (`TCPReachability`), bounded by `timeout`.
public struct SocketConnector: TCPConnector {
    public init() {}

    public func connect(host: String, port: Int, timeout: Duration) async -> String? {
        do {
            try await TCPReachability.check(host: host, port: port, timeout: timeout)
            return nil
        } catch {
            switch error {
            case .timedOut, .cancelled: return "timed out after " + DurationText.format(timeout)
            case .unresolved(let why): return why
            case .system(let system) where system.code == ECONNREFUSED: return "refused"
            case .system(let system) where system.code == ETIMEDOUT: return "timed out"
            case .system(let system): return system.message
            }
        }
    }
}
