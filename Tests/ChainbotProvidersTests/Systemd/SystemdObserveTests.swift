import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct SystemdObserveTests {
    typealias Support = ServiceTestSupport

    static func target(_ name: String, dropIns: [NamedText] = []) -> ObserveTarget {
        let spec = ServiceSpec(
            unitName: "\(name).service", definition: .structured(ServiceUnit(exec: "/usr/bin/\(name)")),
            dropIns: dropIns)
        return ObserveTarget(id: ResourceID(.service, name), spec: .service(spec))
    }

    @Test func observesEveryUnitWithOneSystemctlShowInTargetOrder() async throws {
        let capture = try #require(Fixtures.readText(Fixtures.path("fixtures/systemd/show-four-units.txt")))
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"], output: capture)
        let fileSystem = FakeFileSystem(files: [
            "/etc/systemd/system/chainbot.service": "[Service]\r\nExecStart=/usr/bin/chainbot  \r\n",
            "/etc/systemd/system/alexos.service": "[Service]\nExecStart=/usr/bin/alexos\n",
            "/etc/systemd/system/alexos.service.d/limits.conf": "[Service]\nLimitNOFILE=4096\n",
            "/etc/systemd/system/alexos.service.d/admin.conf": "[Service]\nNice=5\n",
            "/etc/systemd/system/alexos.service.d/notes.txt": "not a drop-in\n",
        ])
        let provider = Support.provider(runner: runner, fileSystem: fileSystem)
        let targets = [
            Self.target("chainbot"), Self.target("watchtower"), Self.target("ghost"),
            Self.target("alexos", dropIns: [NamedText(name: "limits", text: "x")]),
        ]

        let observed = try await provider.observe(targets)

        #expect(
            runner.commandLines == [
                "systemctl show --property=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,"
                    + "FragmentPath,DropInPaths,ExecMainStatus,Result -- chainbot.service watchtower.service "
                    + "ghost.service alexos.service"
            ])
        let chainbot = try #require(observed[ResourceID(.service, "chainbot")])
        #expect(
            chainbot.facets == [
                "unit file": .text("[Service]\nExecStart=/usr/bin/chainbot\n"), "enabled": .word("enabled"),
                "state": .word("running"),
            ])
        #expect(chainbot.health == .healthy)

        let watchtower = try #require(observed[ResourceID(.service, "watchtower")])
        #expect(watchtower.facets["unit file"] == .absent)
        #expect(watchtower.health == .degraded)
        #expect(watchtower.healthReason == "failed: exit-code (status 1)")
        #expect(watchtower.payload?.get(UnitObservation.self) == UnitObservation(failed: true))

        let ghost = try #require(observed[ResourceID(.service, "ghost")])
        #expect(ghost.isAbsent)
        #expect(ghost.health == .missing)

        let alexos = try #require(observed[ResourceID(.service, "alexos")])
        #expect(alexos.facets["drop-in limits.conf"] == .text("[Service]\nLimitNOFILE=4096\n"))
        #expect(alexos.facets["drop-in admin.conf"] == .text("[Service]\nNice=5\n"))
        #expect(alexos.facets["drop-in notes.txt"] == nil)
        #expect(alexos.payload?.get(UnitObservation.self) == UnitObservation(needsDaemonReload: true))
    }

    @Test func saysOnceAndClearlyThatSystemdIsNotRunning() async throws {
        let stderr = try #require(Fixtures.readText(Fixtures.path("fixtures/systemd/show-not-booted.stderr")))
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"], exitCode: 1, errorOutput: stderr)
        let provider = Support.provider(runner: runner)

        let error = await #expect(throws: ProviderError.self) {
            try await provider.observe([Self.target("chainbot"), Self.target("watchtower")])
        }

        #expect(
            error?.message
                == "systemctl show failed: System has not been booted with systemd as init system (PID 1). Can't operate."
                + " (is systemd running? use --root DIR to prepare an image offline)")
        #expect(error?.detail.contains("Failed to connect to bus: Host is down") == true)
        #expect(error?.retryable == false)
        #expect(runner.invocations.count == 1)
    }

    @Test func namesAMissingSystemctlBinary() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl", error: .launchFailed(command: "systemctl show", reason: "No such file or directory"))
        let provider = Support.provider(runner: runner)

        let error = await #expect(throws: ProviderError.self) { try await provider.observe([Self.target("chainbot")]) }

        #expect(
            error?.message
                == "systemctl show failed: cannot run systemctl: No such file or directory"
                + " (is systemd running? use --root DIR to prepare an image offline)")
    }

    @Test func leavesOutTheHintWhenSystemdIsRunning() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["show"], exitCode: 1, errorOutput: "Failed to get properties: Access denied\n")
        let fileSystem = FakeFileSystem()
        fileSystem.makeDirectory("/run/systemd/system")
        let provider = Support.provider(runner: runner, fileSystem: fileSystem)

        let error = await #expect(throws: ProviderError.self) { try await provider.observe([Self.target("chainbot")]) }

        #expect(error?.message == "systemctl show failed: Failed to get properties: Access denied")
        #expect(error?.retryable == true)
    }

    @Test func refusesATraversingUnitNameBeforeBuildingAnyPath() async {
        let runner = FakeCommandRunner()
        let fileSystem = FakeFileSystem()
        let provider = Support.provider(runner: runner, fileSystem: fileSystem)
        let spec = ServiceSpec(unitName: "../x.service", definition: .raw("[Service]\nExecStart=/bin/true\n"))

        let error = await #expect(throws: ProviderError.self) {
            try await provider.observe([ObserveTarget(id: Support.id, spec: .service(spec))])
        }
        await #expect(throws: ProviderError.self) {
            try await provider.render(Support.id, spec: .service(spec), previous: nil)
        }

        #expect(error?.message == "refusing unit name '../x.service': not a valid systemd unit name")
        #expect(fileSystem.touched.isEmpty)
        #expect(runner.invocations.isEmpty)
    }

    @Test func readsEnablementFromWantsLinksOfflineWithoutRunningSystemctl() async throws {
        let runner = FakeCommandRunner()
        let fileSystem = FakeFileSystem(root: "/image", files: [Support.unitPath: "[Service]\n"])
        try fileSystem.symlink(Support.unitPath, at: "/etc/systemd/system/multi-user.target.wants/chainbot.service")
        let provider = Support.provider(.offline, runner: runner, fileSystem: fileSystem)
        let spec = Support.spec()

        let observed = try #require(
            try await provider.observe([ObserveTarget(id: Support.id, spec: .service(spec))])[Support.id])

        #expect(observed.facets == ["unit file": .text("[Service]\n"), "enabled": .word("enabled")])
        #expect(observed.health == .unknown)
        #expect(runner.invocations.isEmpty)
    }

    @Test func readsARawUnitsWantedByTargetsOffline() async throws {
        let raw = "[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\nRequiredBy=alexos.service\n"
        let fileSystem = FakeFileSystem(root: "/image", files: [Support.unitPath: raw])
        try fileSystem.symlink(Support.unitPath, at: "/etc/systemd/system/multi-user.target.wants/chainbot.service")
        let provider = Support.provider(.offline, fileSystem: fileSystem)
        let spec = ServiceSpec(unitName: "chainbot.service", definition: .raw(raw))
        let target = ObserveTarget(id: Support.id, spec: .service(spec))

        #expect(try await provider.observe([target])[Support.id]?.facets["enabled"] == .word("disabled"))
        try fileSystem.symlink(Support.unitPath, at: "/etc/systemd/system/alexos.service.requires/chainbot.service")
        #expect(try await provider.observe([target])[Support.id]?.facets["enabled"] == .word("enabled"))
    }

    @Test func looksForNoLinkOfAnInstallTargetThatCouldLeaveTheUnitDirectory() async throws {
        let raw = "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=../../../tmp/x.target multi-user.target\n"
        let fileSystem = FakeFileSystem(root: "/image", files: [Support.unitPath: raw])
        try fileSystem.symlink(Support.unitPath, at: "/etc/systemd/system/multi-user.target.wants/chainbot.service")
        let provider = Support.provider(.offline, fileSystem: fileSystem)
        let spec = ServiceSpec(unitName: "chainbot.service", definition: .raw(raw))

        let observed = try await provider.observe([ObserveTarget(id: Support.id, spec: .service(spec))])

        #expect(observed[Support.id]?.facets["enabled"] == .word("enabled"))
        #expect(!fileSystem.touched.contains { $0.contains("..") })
    }

    @Test func reportsMaskedStaticAndMissingUnitsOffline() async throws {
        let fileSystem = FakeFileSystem(root: "/image")
        let provider = Support.provider(.offline, fileSystem: fileSystem)
        let target = ObserveTarget(id: Support.id, spec: .service(Support.spec()))

        let missing = try #require(try await provider.observe([target])[Support.id])
        #expect(missing.isAbsent)
        #expect(missing.health == .missing)

        try fileSystem.symlink("/dev/null", at: Support.unitPath)
        let masked = try await provider.observe([target])[Support.id]
        #expect(masked?.facets["enabled"] == .word("masked"))
        // The link is not read (reading /dev/null is refused): the unit file is shown as masked.
        #expect(masked?.facets["unit file"] == .word("(masked: a link to /dev/null)"))

        fileSystem.put(Support.unitPath, "[Service]\nExecStart=/bin/true\n")
        let noInstall = ObserveTarget(id: Support.id, spec: .service(Support.spec(wantedBy: [])))
        #expect(try await provider.observe([noInstall])[Support.id]?.facets["enabled"] == .word("static"))
    }
}
