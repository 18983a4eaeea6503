import ChainbotCore
import Testing

@testable import ChainbotEngine

@Suite struct PlannerTests {
    let services = FakeProvider([.service])
    let files = FakeProvider([.configFile])

    private func plan(
        _ desired: [Resource], applied: [ResourceID: AppliedSpec] = [:], prune: Bool = false, force: Bool = false
    ) async throws -> Plan {
        try await PlanHarness.plan(desired, providers: [services, files], applied: applied, prune: prune, force: force)
    }

    private func describe(_ plan: Plan) -> [String] {
        plan.steps.map { "\($0.resource) \($0.action) requires \($0.requires)" }
    }

    @Test func freshServicesShareOneDaemonReloadAfterEveryUnitWrite() async throws {
        let plan = try await plan([Resources.service("b"), Resources.configFile("env"), Resources.service("a")])
        #expect(
            describe(plan) == [
                "ConfigFile/env write /fake/ConfigFile/env requires []",
                "Service/a write /fake/Service/a requires []",
                "Service/b write /fake/Service/b requires []",
                "Service/a systemctl daemon-reload requires []",
                "Service/a systemctl start a.service requires [1, 3]",
                "Service/b systemctl start b.service requires [2, 3]",
            ])
        #expect(plan.resources.map(\.action) == [.create, .create, .create])
    }

    @Test func aResourceMatchingTheHostHasNoSteps() async throws {
        services.see(ResourceID(.service, "a"), ["content": .text("x"), "state": .word("running")])
        let plan = try await plan([Resources.service("a")])
        #expect(plan.steps.isEmpty)
        #expect(plan.isEmpty)
        #expect(plan.resources.first?.action == .unchanged)
    }

    @Test func dependsOnMakesTheFirstStepWaitForTheDependency() async throws {
        let plan = try await plan([
            Resources.service("web", dependsOn: [ResourceID(.service, "db")]), Resources.service("db"),
        ])
        let start = try #require(plan.steps.first { $0.action == .systemctl(.start, unit: "web.service") })
        let write = try #require(
            plan.steps.first { $0.action == .writeFile(FileWrite(path: "/fake/Service/web", content: [])) })
        let dbWrite = try #require(
            plan.steps.firstIndex { $0.action == .writeFile(FileWrite(path: "/fake/Service/db", content: [])) })
        #expect(write.requires == [dbWrite])
        #expect(start.requires.contains(write.index))
    }

    @Test func warnPolicyReportsDriftWithoutSteps() async throws {
        let plan = try await plan([Resources.service("a", drift: .warn)])
        #expect(plan.steps.isEmpty)
        #expect(plan.resources.first?.action == .warn)
        #expect(plan.resources.first?.changes.map(\.facet) == ["content", "state"])
    }

    @Test func ignorePolicyNeitherReportsNorFixes() async throws {
        let plan = try await plan([Resources.service("a", drift: .ignore)])
        #expect(plan.steps.isEmpty)
        #expect(plan.resources.first?.changes.isEmpty == true)
    }

    @Test func resourcesThatLeftTheManifestsArePrunedOnlyWhenChainbotCreatedThem() async throws {
        let created = ResourceID(.service, "old")
        let adopted = ResourceID(.configFile, "found")
        services.see(created, ["content": .text("x")])
        files.see(adopted, ["content": .text("y")])
        let applied = [
            created: AppliedSpec(spec: Resources.service("old").spec, createdByChainbot: true),
            adopted: AppliedSpec(spec: Resources.configFile("found").spec, createdByChainbot: false),
        ]
        let plan = try await plan([Resources.service("keep")], applied: applied, prune: true)
        let byID = Dictionary(uniqueKeysWithValues: plan.resources.map { ($0.id, $0) })
        #expect(byID[created]?.action == .prune)
        #expect(byID[adopted]?.action == .forget)
        #expect(plan.steps.contains { $0.action == .removeFile(path: "/fake/Service/old") })
        #expect(!plan.steps.contains { $0.action == .removeFile(path: "/fake/ConfigFile/found") })
    }

    @Test func withoutThePruneFlagPrunesAreListedButHaveNoSteps() async throws {
        let old = ResourceID(.service, "old")
        services.see(old, ["content": .text("x")])
        let plan = try await plan(
            [Resources.service("keep")],
            applied: [old: AppliedSpec(spec: Resources.service("old").spec, createdByChainbot: true)])
        let prune = try #require(plan.resources.first { $0.id == old })
        #expect(prune.deferred)
        #expect(prune.changes == [FieldChange(resource: old, facet: "content", from: .text("x"), to: .absent)])
        #expect(!plan.steps.contains { $0.resource == old })
    }

    @Test func anEmptyManifestSetNeverPrunesEverythingWithoutForce() async throws {
        let old = ResourceID(.service, "old")
        let applied = [old: AppliedSpec(spec: Resources.service("old").spec, createdByChainbot: true)]
        await #expect(throws: PlanError.refusingToPruneEverything(count: 1)) {
            _ = try await plan([], applied: applied, prune: true)
        }
        let forced = try await plan([], applied: applied, prune: true, force: true)
        #expect(forced.resources.first?.action == .prune)
    }

    @Test func aServiceIsRestartedOnceHoweverManyOfItsFilesChanged() async throws {
        let app = ResourceID(.service, "app")
        services.see(app, ["content": .text("x"), "state": .word("running")])
        let plan = try await plan([
            Resources.configFile("a", notify: [app]), Resources.configFile("b", notify: [app]),
            Resources.configFile("env", path: "/etc/app.env"),
            Resources.service("app", environmentFile: "/etc/app.env"),
        ])
        let restarts = plan.steps.filter { $0.action == .systemctl(.restart, unit: "app.service") }
        #expect(restarts.count == 1)
        #expect(restarts.first?.requires == [0, 1, 2])
        #expect(restarts.first?.reason == "restart: ConfigFile/a, ConfigFile/b, ConfigFile/env changed")
        #expect(plan.resources.first { $0.id == app }?.action == .update)
    }

    @Test func aServiceAlreadyStartingIsNotRestartedAgainForItsFiles() async throws {
        let app = ResourceID(.service, "app")
        let plan = try await plan([Resources.configFile("a", notify: [app]), Resources.service("app")])
        #expect(
            plan.steps.filter { $0.resource == app }.map(\.action.description) == [
                "write /fake/Service/app", "systemctl daemon-reload", "systemctl start app.service",
            ])
    }

    @Test func aStoppedServiceIsNotRestartedForItsFiles() async throws {
        let app = ResourceID(.service, "app")
        services.see(app, ["content": .text("x"), "state": .word("running")])
        let plan = try await plan([Resources.configFile("a", notify: [app]), Resources.service("app", state: .stopped)])
        #expect(!plan.steps.contains { $0.action == .systemctl(.restart, unit: "app.service") })
    }
}

extension PlannerTests {
    @Test func anOfflineImageNeverRestartsForChangedFiles() async throws {
        let app = ResourceID(.service, "app")
        // Offline, the systemd provider renders no `state` facet: there is nothing running to restart.
        services.want(app, [Facet("content", .text("x"))])
        services.see(app, ["content": .text("x")])
        let plan = try await plan([Resources.configFile("a", notify: [app]), Resources.service("app")])
        #expect(!plan.steps.contains { $0.action == .systemctl(.restart, unit: "app.service") })
    }

    @Test func aNotifiedResourceRestartsWithTheActionItsProviderRendered() async throws {
        let app = ResourceID(.service, "app")
        services.see(app, ["content": .text("x"), "state": .word("running")])
        services.restart(app, with: .reload(argv: ["/usr/bin/app", "--reload"]))
        let plan = try await plan([Resources.configFile("a", notify: [app]), Resources.service("app")])
        #expect(
            plan.steps.map(\.action.description) == ["write /fake/ConfigFile/a", "run /usr/bin/app --reload"])
    }
}

/// Services whose step lists have several actions after the shared reload.
final class EnablingProvider: Provider, Sendable {
    let kinds: [Kind] = [.service]
    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        Rendered([Facet("content", .text("x"))])
    }
    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] { [:] }
    func steps(for request: StepRequest) -> [StepAction] {
        let id = request.id
        return [
            .writeFile(FileWrite(path: "/u/\(id.name)", content: [])), .daemonReload,
            .systemctl(.enable, unit: "\(id.name).service"), .systemctl(.start, unit: "\(id.name).service"),
        ]
    }
    func execute(_ action: StepAction) async throws(ProviderError) {}
}

extension PlannerTests {
    @Test func afterTheReloadLikeActionsStandTogetherAndDependentsWaitForTheirDependency() throws {
        let a = Resources.service("a")
        let b = Resources.service("b", dependsOn: [ResourceID(.service, "a")])
        let c = Resources.service("c")
        let plan = try Planner(providers: [EnablingProvider()]).plan(
            PlanInput(
                desired: [a, b, c],
                rendered: [
                    a.id: Rendered([Facet("content", .text("x"))]), b.id: Rendered([Facet("content", .text("x"))]),
                    c.id: Rendered([Facet("content", .text("x"))]),
                ],
                observed: [:], applied: [:], prune: false))
        #expect(
            plan.steps.map(\.action.description) == [
                "write /u/a", "write /u/b", "write /u/c", "systemctl daemon-reload",
                "systemctl enable a.service", "systemctl enable b.service", "systemctl enable c.service",
                "systemctl start a.service", "systemctl start b.service", "systemctl start c.service",
            ])
        let startA = try #require(plan.steps.firstIndex { $0.action == .systemctl(.start, unit: "a.service") })
        let startB = try #require(plan.steps.first { $0.action == .systemctl(.start, unit: "b.service") })
        #expect(startB.requires.contains(startA))
    }
}
