import ChainbotCore
import Testing

@testable import ChainbotEngine

/// Services laid out as the systemd provider does for a fresh unit: its files, enable, the shared reload,
/// start; `b` also has a drop-in.
final class LinkingProvider: Provider, Sendable {
    let kinds: [Kind] = [.service]
    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        Rendered([Facet("content", .text("x"))])
    }
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] { [:] }
    func steps(for request: StepRequest) -> [StepAction] {
        let name = request.id.name
        let dropIn: [StepAction] = name == "b" ? [.writeFile(FileWrite(path: "/u/b.d/x.conf", content: []))] : []
        return [.writeFile(FileWrite(path: "/u/\(name)", content: []))] + dropIn + [
            .systemctl(.enable, unit: "\(name).service"), .daemonReload, .systemctl(.start, unit: "\(name).service"),
        ]
    }
    func execute(_ action: StepAction) async throws(ProviderError) {}
}

@Suite struct PlannerBatchLayoutTests {
    @Test func everyServicesFilesComeFirstThenEveryEnableTogetherThenTheReloadThenEveryStart() throws {
        let a = Resources.service("a")
        let b = Resources.service("b")
        let c = Resources.service("c", dependsOn: [ResourceID(.service, "a")])
        let rendered = Rendered([Facet("content", .text("x"))])
        let plan = try Planner(providers: [LinkingProvider()]).plan(
            PlanInput(
                desired: [a, b, c], rendered: [a.id: rendered, b.id: rendered, c.id: rendered], observed: [:],
                applied: [:], prune: false))
        #expect(
            plan.steps.map(\.action.description) == [
                "write /u/a", "write /u/b", "write /u/b.d/x.conf", "write /u/c",
                "systemctl enable a.service", "systemctl enable b.service", "systemctl enable c.service",
                "systemctl daemon-reload",
                "systemctl start a.service", "systemctl start b.service", "systemctl start c.service",
            ])
        // Each enable still waits for its own files; the executor runs the three enables as one batch.
        let step = { (text: String) in plan.steps.first { $0.action.description == text } }
        #expect(step("systemctl enable b.service")?.requires == [2])
        #expect(Executor.batch(plan.steps, from: 4).count == 3)
        let startA = try #require(step("systemctl start a.service"))
        #expect(step("systemctl start c.service")?.requires.contains(startA.index) == true)
    }
}
