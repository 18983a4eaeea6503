import ChainbotCore
import ChainbotEngine
import Synchronization
import Testing

/// The desired set a test scripts.
final class FakeManifestSource: ManifestSource {
    private let state: Mutex<DesiredState>

    init(_ desired: DesiredState) { state = Mutex(desired) }

    func set(_ desired: DesiredState) { state.withLock { $0 = desired } }

    func desired() async -> DesiredState { state.withLock { $0 } }
}

/// A sync handler that answers with scripted outcomes, records every batch, and can hold a pass open.
final class FakeSyncHandler: SyncHandler {
    private struct State {
        var script: [ResourceID: [Outcome]] = [:]
        var started: [Set<ResourceID>] = []
        var finished = 0
        var holdNext = false
        /// The passes (1-based) that report a change.
        var changes: Set<Int> = []
        var held: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Outcomes for `id`, one per pass it is in; once used up, it converges.
    func script(_ id: ResourceID, _ outcomes: [Outcome]) { state.withLock { $0.script[id] = outcomes } }

    /// Pass `number` (1-based) reports that it changed something.
    func changes(onPass number: Int) { state.withLock { _ = $0.changes.insert(number) } }

    /// The next pass waits inside `sync` until `release`.
    func holdNextPass() { state.withLock { $0.holdNext = true } }

    func release() {
        let held = state.withLock { state in
            defer { state.held = nil }
            return state.held
        }
        held?.resume()
    }

    var batches: [Set<ResourceID>] { state.withLock { $0.started } }
    var finished: Int { state.withLock { $0.finished } }
    var isHolding: Bool { state.withLock { $0.held != nil } }

    func sync(_ batch: Set<ResourceID>) async -> SyncResult {
        let hold = state.withLock { state in
            state.started.append(batch)
            defer { state.holdNext = false }
            return state.holdNext
        }
        if hold {
            await withCheckedContinuation { continuation in state.withLock { $0.held = continuation } }
        }
        return state.withLock { state in
            state.finished += 1
            var outcomes: [ResourceID: Outcome] = [:]
            for id in batch {
                if var scripted = state.script[id], !scripted.isEmpty {
                    outcomes[id] = scripted.removeFirst()
                    state.script[id] = scripted
                }
            }
            return SyncResult(outcomes: outcomes, changed: state.changes.contains(state.finished))
        }
    }

    func statusLine() async -> String { "fake" }
}

/// Records what the controller tells the service manager.
final class FakeNotifier: Notifier {
    let watchdogInterval: Duration?
    private let sent = Mutex<[String]>([])

    init(watchdogInterval: Duration? = nil) { self.watchdogInterval = watchdogInterval }

    func notify(_ state: String) { sent.withLock { $0.append(state) } }

    var messages: [String] { sent.withLock { $0 } }
    var pings: Int { messages.filter { $0 == "WATCHDOG=1" }.count }
}

/// Waits, without sleeping, until `condition` holds; records an issue after a generous wall-clock deadline.
func eventually(
    _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation, _ condition: () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        await Task.yield()
    }
}
