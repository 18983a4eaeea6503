import ChainbotCore
import Synchronization
import Testing

@testable import ChainbotEngine

/// Records each `execute(together:)` call and each lone `execute`; fails the actions it was told to.
final class BatchRecorder: Provider, Sendable {
    let kinds: [Kind] = [.service]
    private let state = Mutex<(calls: [[String]], failing: Set<StepAction>)>(([], []))

    var calls: [[String]] { state.withLock { $0.calls } }
    func fail(_ action: StepAction) { state.withLock { _ = $0.failing.insert(action) } }

    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        Rendered([])
    }
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] { [:] }
    func steps(for request: StepRequest) -> [StepAction] { [] }

    func execute(_ action: StepAction) async throws(ProviderError) {
        let fails = state.withLock { state in
            state.calls.append([action.description])
            return state.failing.contains(action)
        }
        if fails { throw ProviderError("\(action) failed") }
    }

    func execute(together actions: [StepAction]) async -> [ProviderError?] {
        state.withLock { state in
            state.calls.append(actions.map(\.description))
            return actions.map { state.failing.contains($0) ? ProviderError("\($0) failed") : nil }
        }
    }
}

@Suite struct ExecutorBatchTests {
    static func step(_ index: Int, _ name: String, _ action: StepAction, requires: [Int] = []) -> Step {
        Step(index: index, resource: ResourceID(.service, name), action: action, requires: requires, reason: "")
    }

    static func run(_ provider: BatchRecorder, _ steps: [Step]) async -> [StepRecord] {
        await Executor(providers: [provider], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(
            Plan(resources: [], steps: steps))
    }

    @Test func enablesStandTogetherInOneCallAndStartsAndRestartsInAnotherButNeverMixed() async {
        let provider = BatchRecorder()
        let steps = [
            Self.step(0, "a", .systemctl(.enable, unit: "a.service")),
            Self.step(1, "b", .systemctl(.disable, unit: "b.service")),
            Self.step(2, "c", .systemctl(.enable, unit: "c.service")),
            Self.step(3, "a", .daemonReload, requires: [0]),
            Self.step(4, "a", .systemctl(.start, unit: "a.service"), requires: [3]),
            Self.step(5, "b", .systemctl(.restart, unit: "b.service"), requires: [3]),
            Self.step(6, "c", .systemctl(.start, unit: "c.service"), requires: [3]),
        ]
        let records = await Self.run(provider, steps)
        #expect(records.map(\.outcome) == Array(repeating: .succeeded, count: 7))
        #expect(
            provider.calls == [
                ["systemctl enable a.service", "systemctl disable b.service", "systemctl enable c.service"],
                ["systemctl daemon-reload"],
                ["systemctl start a.service", "systemctl restart b.service", "systemctl start c.service"],
            ])
    }

    @Test func aFailureInABatchFailsOnlyItsOwnStepAndBlocksWhatRequiresIt() async {
        let provider = BatchRecorder()
        provider.fail(.systemctl(.enable, unit: "b.service"))
        let steps = [
            Self.step(0, "a", .systemctl(.enable, unit: "a.service")),
            Self.step(1, "b", .systemctl(.enable, unit: "b.service")),
            Self.step(2, "a", .writeFile(FileWrite(path: "/a", content: [])), requires: [0]),
            Self.step(3, "b", .writeFile(FileWrite(path: "/b", content: [])), requires: [1]),
        ]
        let records = await Self.run(provider, steps)
        #expect(
            records.map(\.outcome) == [
                .succeeded, .failed(ProviderError("systemctl enable b.service failed")), .succeeded, .blocked(by: 1),
            ])
        if case .failed(let error) = records[1].outcome {
            #expect(error.resource == ResourceID(.service, "b"))
        }
        #expect(provider.calls.count == 2)
    }

    @Test func aStepRequiringAnotherOfItsBatchWaitsForTheNextOne() async {
        let provider = BatchRecorder()
        let steps = [
            Self.step(0, "db", .systemctl(.start, unit: "db.service")),
            Self.step(1, "cache", .systemctl(.start, unit: "cache.service")),
            Self.step(2, "web", .systemctl(.start, unit: "web.service"), requires: [0]),
        ]
        _ = await Self.run(provider, steps)
        #expect(
            provider.calls == [
                ["systemctl start db.service", "systemctl start cache.service"], ["systemctl start web.service"],
            ])
    }
}
