import Synchronization

/// Chunks handed from a streaming task to the connection thread that writes them, with backpressure:
/// the task waits while `limit` chunks are queued, so a fast producer cannot outrun a slow client.
final class ChunkQueue: Sendable {
    enum Next {
        case chunk([UInt8])
        case finished
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var finished = false
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int = 16) { self.limit = limit }

    func push(_ chunk: [UInt8]) { state.withLock { $0.chunks.append(chunk) } }

    func finish() { state.withLock { $0.finished = true } }

    /// Whether `pop` has something to give: a chunk, or the end.
    var hasNext: Bool { state.withLock { !$0.chunks.isEmpty || $0.finished } }

    /// Whether the producer is done (all chunks may not have been taken yet).
    var isFinished: Bool { state.withLock { $0.finished } }

    /// The next chunk, `.finished` after the last one, or nil when there is nothing yet.
    func pop() -> Next? {
        let (next, waiter): (Next?, CheckedContinuation<Void, Never>?) = state.withLock {
            if !$0.chunks.isEmpty {
                let chunk = $0.chunks.removeFirst()
                let waiter = $0.chunks.count < limit ? $0.waiter : nil
                if waiter != nil { $0.waiter = nil }
                return (.chunk(chunk), waiter)
            }
            return ($0.finished ? .finished : nil, nil)
        }
        waiter?.resume()
        return next
    }

    /// Suspends the producer while the queue is full; returns at once after `close`.
    func waitForRoom() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock {
                    if $0.closed || $0.chunks.count < limit { return true }
                    $0.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            close()
        }
    }

    /// The consumer is gone: the producer never waits again.
    func close() {
        let waiter = state.withLock {
            $0.closed = true
            let waiter = $0.waiter
            $0.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
