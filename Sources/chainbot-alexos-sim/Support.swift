import Dispatch
import Glibc
import Synchronization

/// Writes text to a standard stream's descriptor (1 or 2), unbuffered.
func writeText(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return }
        bytes = bytes.dropFirst(count)
    }
}

/// Waits for SIGINT or SIGTERM (both ignored as default actions while the simulator runs).
enum SignalWait {
    static func untilTerminated() async {
        let once = ResumeOnce()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { once.resume() }
            source.resume()
            sources.append(source)
        }
        await withCheckedContinuation { once.set($0) }
        for source in sources { source.cancel() }
    }
}

/// Resumes a continuation once, whichever signal comes first (even one that came before it was set).
final class ResumeOnce: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, fired: Bool)>((nil, false))

    func set(_ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow = state.withLock {
            if $0.fired { return true }
            $0.continuation = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    func resume() {
        let continuation = state.withLock {
            let pending = $0.continuation
            $0.continuation = nil
            $0.fired = true
            return pending
        }
        continuation?.resume()
    }
}

extension String {
    /// The text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        var text = self[...]
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
