import ChainbotCore
import Testing

@testable import ChainbotEngine

/// A held resource (`chainbot suspend`) is changed by no step of any resource.
@Suite struct HoldsTests {
    let services = FakeProvider([.service])
    let files = FakeProvider([.configFile])
    let network = FakeProvider([.port, .firewallRule])
    static let reason = "suspended until 2026-12-01T12:00:00Z"
    let app = ResourceID(.service, "app")

    private func plan(
        _ desired: [Resource], held: [ResourceID: String], applied: [ResourceID: AppliedSpec] = [:],
        prune: Bool = false
    ) async throws -> Plan {
        try await PlanHarness.plan(
            desired, providers: [services, files, network], applied: applied, prune: prune, held: held)
    }

    private func actions(_ plan: Plan) -> [String] { plan.steps.map { "\($0.resource) \($0.action)" } }

    @Test func aHeldServiceIsNotRestartedThroughItsPort() async throws {
        services.see(app, ["content": .text("x"), "state": .word("running")])
        let plan = try await plan(
            [Resources.service("app"), Resources.port("api", 8080, owner: app)], held: [app: Self.reason])
        #expect(actions(plan).isEmpty)
        let port = try #require(plan.resources.first { $0.id.kind == .port })
        #expect(port.notes == ["held: Service/app is \(Self.reason); systemctl restart app.service not run"])
        #expect(!port.changes.isEmpty, "the drift is still reported")
        #expect(plan.resources.first { $0.id == app }?.held == Self.reason)
    }

    @Test func withoutTheHoldThePortRestartsItsOwner() async throws {
        services.see(app, ["content": .text("x"), "state": .word("running")])
        let plan = try await plan([Resources.service("app"), Resources.port("api", 8080, owner: app)], held: [:])
        #expect(actions(plan) == ["Port/api systemctl restart app.service"])
    }

    @Test func aHeldServiceGetsNoRestartFromAChangedConfigFile() async throws {
        services.see(app, ["content": .text("x"), "state": .word("running")])
        let plan = try await plan(
            [Resources.configFile("env", notify: [app]), Resources.service("app")], held: [app: Self.reason])
        #expect(actions(plan) == ["ConfigFile/env write /fake/ConfigFile/env"])
        let service = try #require(plan.resources.first { $0.id == app })
        #expect(service.notes == ["held: Service/app is \(Self.reason); systemctl restart app.service not run"])
    }

    @Test func aHeldResourceKeepsItsDriftAsAReportWithoutSteps() async throws {
        // Not on the host: without the hold this is a write, a reload and a start.
        let plan = try await plan([Resources.service("app")], held: [app: Self.reason])
        #expect(plan.steps.isEmpty)
        let service = try #require(plan.resources.first)
        #expect(service.action == .warn)
        #expect(service.held == Self.reason)
        #expect(service.changes.map(\.facet) == ["content", "state"])
        #expect(service.notes.first == "held: Service/app is \(Self.reason); write /fake/Service/app not run")
    }

    @Test func aHeldResourceThatLeftTheManifestsIsNotPruned() async throws {
        let gone = ResourceID(.configFile, "old")
        services.see(app, ["content": .text("x"), "state": .word("running")])
        files.see(gone, ["content": .text("x")])
        let applied = [
            gone: AppliedSpec(spec: Resources.configFile("old").spec, createdByChainbot: true)
        ]
        let plan = try await plan(
            [Resources.service("app")], held: [gone: Self.reason], applied: applied, prune: true)
        #expect(plan.steps.isEmpty)
        let pruned = try #require(plan.resources.first { $0.id == gone })
        #expect(pruned.held == Self.reason)
        #expect(pruned.deferred)
    }

    @Test func aSharedStepAHeldResourceWouldNeedIsHeldForEveryone() async throws {
        let plan = try await plan(
            [Resources.rule("held-rule"), Resources.rule("other")],
            held: [ResourceID(.firewallRule, "held-rule"): Self.reason])
        #expect(plan.steps.isEmpty)
        let other = try #require(plan.resources.first { $0.id.name == "other" })
        #expect(other.notes.count == 1)
        #expect(other.notes.first?.hasPrefix("held: FirewallRule/held-rule is \(Self.reason); load nftables") == true)
    }
}
