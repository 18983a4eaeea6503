import ChainbotCore
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
