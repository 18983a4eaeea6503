import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// Runs the real `systemctl --root=DIR`, which works without a running systemd (testbed-facts §2).
@Suite(.enabled(if: Fixtures.exists("/usr/bin/systemctl") || Fixtures.exists("/bin/systemctl"), "needs systemctl"))
struct OfflineSystemctlTests {
    typealias Support = ServiceTestSupport
    let limits = NamedText(name: "limits", text: "[Service]\nLimitNOFILE=4096\n")

    /// One planning and apply pass, as the engine runs it; returns the actions it ran.
    @discardableResult
    func apply(_ provider: SystemdProvider, _ spec: ServiceSpec?, previous: ServiceSpec?) async throws -> [StepAction] {
        let target = try #require(spec ?? previous)
        let observed = try #require(
            try await provider.observe([ObserveTarget(id: Support.id, spec: .service(target))])[Support.id])
        var changes: [FieldChange] = []
        if let spec {
            let desired = try await provider.render(
                Support.id, spec: .service(spec), previous: previous.map(ResourceSpec.service)
            ).facets
            changes = Support.changes(desired, observed)
        }
        let actions = provider.steps(
            for: Support.id, spec: spec.map(ResourceSpec.service), previous: previous.map(ResourceSpec.service),
            changes: changes, observed: observed)
        for action in actions { try await provider.execute(action) }
        return actions
    }

    @Test func enablesIntoAnImageThenConvergesThenPrunes() async throws {
        let directory = TemporaryDirectory("chainbot-systemd")
        let image = DirectoryFileSystem(root: directory.path)
        let provider = SystemdProvider(runner: SpawnCommandRunner(), fileSystem: image, mode: .offline)
        let spec = Support.spec(dropIns: [limits])
        let link = "/etc/systemd/system/multi-user.target.wants/chainbot.service"

        let first = try await apply(provider, spec, previous: nil)
        #expect(first.count == 3)
        #expect(first.last == .systemctl(.enable, unit: "chainbot.service"))
        #expect(try image.readLink(link) == "/etc/systemd/system/chainbot.service")
        #expect(try image.read(Support.unitPath) == Array(try SystemdProvider.unitText(Support.id, spec).utf8))

        #expect(try await apply(provider, spec, previous: spec).isEmpty)

        let pruned = try await apply(provider, nil, previous: spec)
        #expect(pruned.first == .systemctl(.disable, unit: "chainbot.service"))
        #expect(try image.info(link) == nil)
        #expect(try image.info(Support.unitPath) == nil)
        #expect(try image.info("/etc/systemd/system/chainbot.service.d/limits.conf") == nil)
    }

    @Test func relinksUnderNewTargetsWhenWantedByChanges() async throws {
        let directory = TemporaryDirectory("chainbot-systemd")
        let image = DirectoryFileSystem(root: directory.path)
        let provider = SystemdProvider(runner: SpawnCommandRunner(), fileSystem: image, mode: .offline)
        let before = Support.spec()
        let after = Support.spec(wantedBy: ["graphical.target"])

        try await apply(provider, before, previous: nil)
        try await apply(provider, after, previous: before)

        #expect(try image.info("/etc/systemd/system/multi-user.target.wants/chainbot.service") == nil)
        #expect(try image.readLink("/etc/systemd/system/graphical.target.wants/chainbot.service") != nil)
        #expect(try await apply(provider, after, previous: after).isEmpty)
    }
}
