import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// "Given this host, expect these actions": each test renders, observes through fakes and plans, as the
/// shared planner does.
@Suite struct SystemdStepsTests {
    typealias Support = ServiceTestSupport
    let unit = "chainbot.service"
    let limitsPath = "/etc/systemd/system/chainbot.service.d/limits.conf"
    let limits = NamedText(name: "limits", text: "[Service]\nLimitNOFILE=4096\n")

    /// A live provider whose host has these files and whose `systemctl show` prints `show`.
    func live(_ show: String, files: [String: String] = [:]) -> SystemdProvider {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"], output: show)
        let fileSystem = FakeFileSystem(files: files)
        fileSystem.makeDirectory("/run/systemd/system")
        return Support.provider(runner: runner, fileSystem: fileSystem)
    }

    func write(_ path: String, _ text: String) -> StepAction {
        .writeFile(FileWrite(path: path, content: Array(text.utf8), mode: 0o644))
    }

    func rendered(_ spec: ServiceSpec) throws -> String { try SystemdProvider.unitText(Support.id, spec) }

    @Test func createsWritesReloadsEnablesAndStartsAFreshService() async throws {
        let spec = Support.spec()
        let provider = live(Support.show(load: "not-found", active: "inactive", sub: "dead", fileState: ""))

        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .systemctl(.enable, unit: unit), .daemonReload,
                .systemctl(.start, unit: unit),
            ])
    }

    @Test func restartsARunningServiceWhoseUnitChanged() async throws {
        let spec = Support.spec(exec: "/usr/bin/chainbot agent --verbose")
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(Support.spec())])

        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .daemonReload, .systemctl(.restart, unit: unit),
            ])
    }

    @Test func onlyStartsAServiceStoppedByHand() async throws {
        let spec = Support.spec()
        let provider = live(
            Support.show(active: "inactive", sub: "dead"), files: [Support.unitPath: try rendered(spec)])

        #expect(try await Support.plan(provider, spec) == [.systemctl(.start, unit: unit)])
    }

    @Test func enablesAServiceDisabledByHandThenReloadsSoSystemdReportsIt() async throws {
        let spec = Support.spec()
        let provider = live(Support.show(fileState: "disabled"), files: [Support.unitPath: try rendered(spec)])

        // `enable --no-reload` alone leaves UnitFileState=disabled until the next reload: the fix would
        // be planned again on every run.
        #expect(try await Support.plan(provider, spec) == [.systemctl(.enable, unit: unit), .daemonReload])
    }

    @Test func resetsAFailedServiceBeforeStartingIt() async throws {
        let spec = Support.spec()
        let show = Support.show(active: "failed", sub: "failed", result: "exit-code", status: "1")
        let provider = live(show, files: [Support.unitPath: try rendered(spec)])

        #expect(
            try await Support.plan(provider, spec) == [
                .systemctl(.resetFailed, unit: unit), .systemctl(.start, unit: unit),
            ])
    }

    @Test func plansNothingForAServiceInSync() async throws {
        let spec = Support.spec(dropIns: [limits])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(spec), limitsPath: limits.text])

        #expect(try await Support.plan(provider, spec).isEmpty)
    }

    @Test func reloadsWhenSystemdSaysAFileChangedUnderIt() async throws {
        let spec = Support.spec()
        let provider = live(Support.show(needReload: "yes"), files: [Support.unitPath: try rendered(spec)])

        #expect(try await Support.plan(provider, spec) == [.daemonReload])
    }

    @Test func stopsAndDisablesARunningServiceMeantToBeOff() async throws {
        let spec = Support.spec(enabled: false, state: .stopped)
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(spec)])

        #expect(
            try await Support.plan(provider, spec) == [
                .systemctl(.disable, unit: unit), .daemonReload, .systemctl(.stop, unit: unit),
            ])
    }

    @Test func writesAnAddedDropInReloadsAndRestarts() async throws {
        let spec = Support.spec(dropIns: [limits])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(spec)])

        #expect(
            try await Support.plan(provider, spec) == [
                write(limitsPath, limits.text), .daemonReload, .systemctl(.restart, unit: unit),
            ])
    }

    @Test func removesADropInTakenOutOfTheManifestThenReloadsAndRestarts() async throws {
        let spec = Support.spec()
        let previous = Support.spec(dropIns: [limits])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(spec), limitsPath: limits.text])

        #expect(
            try await Support.plan(provider, spec, previous: previous) == [
                .removeFile(path: limitsPath), .daemonReload, .systemctl(.restart, unit: unit),
            ])
    }

    @Test func relinksAnEnabledServiceWhoseInstallTargetsChanged() async throws {
        let spec = Support.spec(wantedBy: ["graphical.target"])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(Support.spec())])

        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .systemctl(.disable, unit: unit),
                .systemctl(.enable, unit: unit), .daemonReload, .systemctl(.restart, unit: unit),
            ])
    }

    @Test func unlinksAnEnabledServiceThatLostItsInstallTargets() async throws {
        let spec = Support.spec(wantedBy: [])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(Support.spec())])

        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .systemctl(.disable, unit: unit), .daemonReload,
                .systemctl(.restart, unit: unit),
            ])
    }

    @Test func neverEnablesAUnitWithoutInstallTargets() async throws {
        let spec = Support.spec(wantedBy: [])
        let provider = live(Support.show(load: "not-found", active: "inactive", sub: "dead", fileState: ""))

        let desired = try await provider.render(Support.id, spec: .service(spec), previous: nil).facets
        #expect(desired.first { $0.name == "enabled" }?.value == .word("static"))
        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .daemonReload, .systemctl(.start, unit: unit),
            ])
    }

    @Test func prunesByStoppingDisablingRemovingAndReloading() async throws {
        let previous = Support.spec(dropIns: [limits])
        let provider = live(Support.show(), files: [Support.unitPath: try rendered(previous), limitsPath: limits.text])
        let observed = try #require(
            try await provider.observe([ObserveTarget(id: Support.id, spec: .service(previous))])[Support.id])
        let changes = observed.facets.filter { $0.value != .absent }.map {
            FieldChange(resource: Support.id, facet: $0.key, from: $0.value, to: .absent)
        }

        #expect(
            provider.steps(
                for: Support.id, spec: nil, previous: .service(previous), changes: changes, observed: observed) == [
                    .systemctl(.stop, unit: unit), .systemctl(.disable, unit: unit), .removeFile(path: limitsPath),
                    .removeFile(path: Support.unitPath), .daemonReload,
                ])
    }

    @Test func writesAndEnablesOfflineWithoutReloadingOrStarting() async throws {
        let spec = Support.spec()
        let provider = Support.provider(.offline, fileSystem: FakeFileSystem(root: "/image"))

        let desired = try await provider.render(Support.id, spec: .service(spec), previous: nil).facets
        #expect(!desired.contains { $0.name == "state" })
        #expect(
            try await Support.plan(provider, spec) == [
                write(Support.unitPath, try rendered(spec)), .systemctl(.enable, unit: unit),
            ])
    }

    @Test func prunesOfflineWithFileRemovalsAndDisableOnly() async throws {
        let previous = Support.spec()
        let fileSystem = FakeFileSystem(root: "/image", files: [Support.unitPath: try rendered(previous)])
        try fileSystem.symlink(Support.unitPath, at: "/etc/systemd/system/multi-user.target.wants/chainbot.service")
        let provider = Support.provider(.offline, fileSystem: fileSystem)
        let observed = try #require(
            try await provider.observe([ObserveTarget(id: Support.id, spec: .service(previous))])[Support.id])

        #expect(
            provider.steps(for: Support.id, spec: nil, previous: .service(previous), changes: [], observed: observed)
                == [
                    .systemctl(.disable, unit: unit), .removeFile(path: Support.unitPath),
                ])
    }
}
