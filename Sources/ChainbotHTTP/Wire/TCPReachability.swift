public import ChainbotOS
import Synchronization

/// Why a TCP connect did not succeed; decide on the case and the errno, never on the text.
public enum TCPConnectError: Error, Sendable, Hashable {
    /// The name did not resolve, in the resolver's words (`cannot resolve 'x': Name or service not known`).
    case unresolved(String)
    /// Nothing accepted the connection within the time given.
    case timedOut
    /// The calling task was cancelled before the connect finished.
    case cancelled
    /// A system call failed: `connect` with `ECONNREFUSED` when nothing listens.
    case system(SystemError)
}

/// Opens a TCP connection and closes it again: whether something accepts connections at an address.
///
/// The connect is the HTTP client's own (`Socket.connect`), run on a worker thread so that a slow peer
/// never holds one of Swift's cooperative threads.
public enum TCPReachability {
    /// Connects to `host:port`, trying each address `getaddrinfo` gives, all within `timeout`, then closes.
    /// A cancelled task stops waiting at once; the worker thread gives up by the deadline.
    public static func check(host: String, port: Int, timeout: Duration) async throws(TCPConnectError) {
        let deadline = ContinuousClock.now + timeout
        let waiter = Waiter()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TCPConnectError?, Never>) in
                guard waiter.store(continuation) else { return }
                do throws(SystemError) {
                    try WorkerThread.start { waiter.resume(attempt(host: host, port: port, until: deadline)) }
                } catch {
                    waiter.resume(.system(error))
                }
            }
        } onCancel: {
            waiter.cancel()
        }
        if let result { throw result }
    }

    /// One blocking connect and close; nil when it connected.
    private static func attempt(host: String, port: Int, until deadline: ContinuousClock.Instant)
        -> TCPConnectError?
    {
        do {
            try Socket.connect(host: host, port: port, until: deadline).close()
            return nil
        } catch {
            switch error {
            case .timedOut: return .timedOut
            case .system(let system): return .system(system)
            case .malformed(let why): return .unresolved(why)
            // Socket.connect throws none of these: they belong to reading and writing messages.
            case .closed, .headTooLarge, .bodyTooLarge, .unsupportedCoding: return .unresolved("\(error)")
            }
        }
    }

    /// Resumes the waiting task once: with the worker's result, or at cancellation.
    private final class Waiter: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<TCPConnectError?, Never>?, cancelled: Bool)>(
            (nil, false))

        /// Keeps `continuation` for the result; false (and resumed as cancelled) when already cancelled.
        func store(_ continuation: CheckedContinuation<TCPConnectError?, Never>) -> Bool {
            let cancelled = state.withLock { state in
                if !state.cancelled { state.continuation = continuation }
                return state.cancelled
            }
            if cancelled { continuation.resume(returning: .cancelled) }
            return !cancelled
        }

        func resume(_ result: TCPConnectError?) {
            state.withLock { state in
                defer { state.continuation = nil }
                return state.continuation
            }?.resume(returning: result)
        }

        func cancel() {
            state.withLock { state in
                state.cancelled = true
                defer { state.continuation = nil }
                return state.continuation
            }?.resume(returning: .cancelled)
        }
    }
}
