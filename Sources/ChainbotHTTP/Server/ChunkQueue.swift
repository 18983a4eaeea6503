import Dispatch
import Synchronization

/// Chunks handed from a streaming task to the connection thread that writes them.
final class ChunkQueue: Sendable {
    enum Next {
        case chunk([UInt8])
        case finished
        case timedOut
    }

    private let state = Mutex<(chunks: [[UInt8]], finished: Bool)>(([], false))
    private let available = DispatchSemaphore(value: 0)

    func push(_ chunk: [UInt8]) {
        state.withLock { $0.chunks.append(chunk) }
        available.signal()
    }

    func finish() {
        state.withLock { $0.finished = true }
        available.signal()
    }

    /// The next chunk, `.finished` after the last one, or `.timedOut` when none came within `timeout`.
    func pop(timeout: Duration) -> Next {
        while true {
            let next: Next? = state.withLock {
                if !$0.chunks.isEmpty { return .chunk($0.chunks.removeFirst()) }
                return $0.finished ? .finished : nil
            }
            if let next { return next }
            if available.wait(timeout: .now() + .milliseconds(Int(timeout.pollMilliseconds))) == .timedOut {
                return .timedOut
            }
        }
    }
}
