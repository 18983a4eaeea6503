import ChainbotHTTP
import ChainbotOS
import Synchronization

/// Tells the endpoint's WebSocket feeds when the state file may have changed, so that an idle agent's
/// clients cost no query: inotify on the state file's directory counts every write to the file or its
/// write-ahead log (`state.db-wal`) and wakes the connections subscribed. Started by the first client;
/// where inotify is not available `current()` is nil and the feeds look at the store on every tick.
final class StoreChangeSignal: Sendable {
    private let statePath: String
    private let changes = Counter()
    private let watcher = Mutex<Watching>(.notYet)

    /// The count and the connections to wake, in a class of their own so the watcher's callback can hold
    /// them (not the signal).
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        let wakers = Mutex<[ObjectIdentifier: WebSocketWaker]>([:])

        func changed() {
            value.add(1, ordering: .releasing)
            for waker in wakers.withLock({ Array($0.values) }) { waker.wake() }
        }
    }

    private enum Watching {
        case notYet
        case watching(FileWatcher)
        case unavailable
    }

    init(statePath: String) { self.statePath = statePath }

    /// A number that moves whenever the state file changed; nil when changes cannot be watched (look
    /// every time).
    func current() -> Int? {
        startIfNeeded() ? changes.value.load(ordering: .acquiring) : nil
    }

    /// Wakes `waker` on every change from now on, until `unsubscribe`.
    func subscribe(_ waker: WebSocketWaker) {
        changes.wakers.withLock { $0[ObjectIdentifier(waker)] = waker }
    }

    func unsubscribe(_ waker: WebSocketWaker) {
        _ = changes.wakers.withLock { $0.removeValue(forKey: ObjectIdentifier(waker)) }
    }

    /// Whether changes are watched (starting the watcher if it was not yet).
    var isWatching: Bool { startIfNeeded() }

    private func startIfNeeded() -> Bool {
        watcher.withLock { state in
            switch state {
            case .watching: return true
            case .unavailable: return false
            case .notYet:
                let name = String(statePath.split(separator: "/").last ?? Substring(statePath))
                let changes = changes
                guard
                    let started = try? FileWatcher(
                        paths: [statePath],
                        onChange: { path in
                            if path.split(separator: "/").last?.hasPrefix(name) ?? false {
                                changes.changed()
                            }
                        })
                else {
                    state = .unavailable
                    return false
                }
                state = .watching(started)
                return true
            }
        }
    }

    deinit {
        watcher.withLock { state in
            if case .watching(let started) = state { started.stop() }
        }
    }
}
