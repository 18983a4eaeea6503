import ChainbotCore
import Synchronization

/// A wall clock that only moves when a test moves it.
final class ManualClock: Sendable {
    private let current: Mutex<Timestamp>

    init(_ start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)) {
        current = Mutex(start)
    }

    /// What the clock reads now; hand `clock.now` to the store.
    @Sendable func now() -> Timestamp {
        current.withLock { $0 }
    }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
