import ChainbotCore
import Synchronization
import Testing

@testable import ChainbotEngine

@Suite struct ExecutorTests {
    @Test func aFailedStepBlocksItsDependentsButNotIndependentBranches() async {
        let provider = FakeProvider([.service])
        let a = ResourceID(.service, "a")
        let b = ResourceID(.service, "b")
        let writeA = StepAction.writeFile(FileWrite(path: "/a", content: []))
        provider.fail(writeA)
        let plan = Plan(
            resources: [],
            steps: [
                Step(index: 0, resource: a, action: writeA, reason: ""),
                Step(index: 1, resource: b, action: .writeFile(FileWrite(path: "/b", content: [])), reason: ""),
                Step(index: 2, resource: a, action: .daemonReload, reason: ""),
                Step(
                    index: 3, resource: a, action: .systemctl(.start, unit: "a.service"), requires: [0, 2], reason: ""),
                Step(
                    index: 4, resource: b, action: .systemctl(.start, unit: "b.service"), requires: [1, 2], reason: ""),
            ])
        let records = await Executor(providers: [provider], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(plan)
        #expect(
            records.map(\.outcome) == [
                .failed(ProviderError("write /a failed", detail: "scripted failure")), .succeeded, .succeeded,
                .blocked(by: 0), .succeeded,
            ])
        #expect(
            provider.executed.map(\.description) == [
                "write /a", "write /b", "systemctl daemon-reload", "systemctl start b.service",
            ])
    }

    @Test func aBlockedStepBlocksWhatRequiresIt() async {
        let provider = FakeProvider([.service])
        let a = ResourceID(.service, "a")
        provider.fail(.daemonReload)
        let plan = Plan(
            resources: [],
            steps: [
                Step(index: 0, resource: a, action: .daemonReload, reason: ""),
                Step(index: 1, resource: a, action: .systemctl(.enable, unit: "a.service"), requires: [0], reason: ""),
                Step(index: 2, resource: a, action: .systemctl(.start, unit: "a.service"), requires: [1], reason: ""),
            ])
        let records = await Executor(providers: [provider], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(plan)
        #expect(records.map(\.outcome).suffix(2) == [.blocked(by: 0), .blocked(by: 1)])
    }
}

/// Counts how many actions run at once, holding each for a moment.
final class ConcurrencyProbe: Provider, Sendable {
    let kinds: [Kind] = [.service]
    private let state = Mutex<(running: Int, peak: Int, order: [String])>((0, 0, []))

    var peak: Int { state.withLock { $0.peak } }
    var order: [String] { state.withLock { $0.order } }

    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        Rendered([])
    }
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] { [:] }
    func steps(for request: StepRequest) -> [StepAction] { [] }

    func execute(_ action: StepAction) async throws(ProviderError) {
        state.withLock { state in
            state.running += 1
            state.peak = max(state.peak, state.running)
            state.order.append(action.description)
        }
        try? await Task.sleep(for: .milliseconds(50))
        state.withLock { $0.running -= 1 }
    }
}

extension ExecutorTests {
    @Test func startsOfIndependentServicesRunSideBySide() async {
        let probe = ConcurrencyProbe()
        let steps = (0..<4).map { index in
            Step(
                index: index, resource: ResourceID(.service, "s\(index)"),
                action: .systemctl(.start, unit: "s\(index).service"), reason: "")
        }
        let records = await Executor(providers: [probe], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(
            Plan(resources: [], steps: steps))
        #expect(records.map(\.outcome) == Array(repeating: .succeeded, count: 4))
        #expect(records.map(\.step.index) == [0, 1, 2, 3])
        #expect(probe.peak == 4)
    }

    @Test func aStartThatRequiresAnotherWaitsForIt() async {
        let probe = ConcurrencyProbe()
        let steps = [
            Step(
                index: 0, resource: ResourceID(.service, "db"), action: .systemctl(.start, unit: "db.service"),
                reason: ""),
            Step(
                index: 1, resource: ResourceID(.service, "web"), action: .systemctl(.start, unit: "web.service"),
                requires: [0], reason: ""),
        ]
        _ = await Executor(providers: [probe], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(
            Plan(resources: [], steps: steps))
        #expect(probe.peak == 1)
        #expect(probe.order == ["systemctl start db.service", "systemctl start web.service"])
    }

    @Test func otherActionsRunOneAtATime() async {
        let probe = ConcurrencyProbe()
        let steps = (0..<3).map { index in
            Step(
                index: index, resource: ResourceID(.service, "s\(index)"),
                action: .writeFile(FileWrite(path: "/etc/s\(index)", content: [])), reason: "")
        }
        _ = await Executor(providers: [probe], now: { Timestamp(millisecondsSinceEpoch: 0) }).run(
            Plan(resources: [], steps: steps))
        #expect(probe.peak == 1)
    }
}
