import ChainbotCore
import ChainbotEngine
import Synchronization

/// A housekeeper that counts what the controller asks of it and answers with scripted results.
final class FakeHousekeeper: Housekeeper {
    private struct State {
        var reloads = 0
        var configurationReloads = 0
        var pulls = 0
        var reports = 0
        var deliveries = 0
        /// What each pull answers (a new commit or not), in order; false once used up.
        var pullScript: [Bool] = []
        /// Whether entries still wait after each delivery, in order; false once used up.
        var deliveryScript: [Bool] = []
        var nextConfiguration: ControllerConfiguration?
        var onReload: (@Sendable () async -> Void)?
    }

    private let state = Mutex(State())

    var reloads: Int { state.withLock { $0.reloads } }
    var configurationReloads: Int { state.withLock { $0.configurationReloads } }
    var pulls: Int { state.withLock { $0.pulls } }
    var reports: Int { state.withLock { $0.reports } }
    var deliveries: Int { state.withLock { $0.deliveries } }

    func scriptPulls(_ results: [Bool]) { state.withLock { $0.pullScript = results } }
    func scriptDeliveries(_ results: [Bool]) { state.withLock { $0.deliveryScript = results } }
    func answerReloadedConfiguration(_ next: ControllerConfiguration) {
        state.withLock { $0.nextConfiguration = next }
    }

    /// What reading the manifests does (queue keys on the controller, as the agent does when they changed).
    func onReload(_ action: @escaping @Sendable () async -> Void) { state.withLock { $0.onReload = action } }

    func reloadManifests() async {
        let action = state.withLock { state in
            state.reloads += 1
            return state.onReload
        }
        await action?()
    }

    func reloadConfiguration() async -> ControllerConfiguration? {
        state.withLock { state in
            state.configurationReloads += 1
            return state.nextConfiguration
        }
    }

    func pullGit() async -> Bool {
        state.withLock { state in
            state.pulls += 1
            return state.pullScript.isEmpty ? false : state.pullScript.removeFirst()
        }
    }

    func reportHealth() async { state.withLock { $0.reports += 1 } }

    func deliver() async -> Bool {
        state.withLock { state in
            state.deliveries += 1
            return state.deliveryScript.isEmpty ? false : state.deliveryScript.removeFirst()
        }
    }
}
