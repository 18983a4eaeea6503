import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

@Suite struct SystemdExecuteTests {
    typealias Support = ServiceTestSupport

    @Test func runsEachVerbAsSystemctlArgvWithAJobTimeoutForStartStopRestart() async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["list-units"], exitCode: 0, output: "chainbot.service loaded active running ChainBot\n")
        runner.script("systemctl")
        let provider = Support.provider(runner: runner)

        for verb in SystemctlVerb.allCases { try await provider.execute(.systemctl(verb, unit: "chainbot.service")) }
        try await provider.execute(.daemonReload)

        let check = "systemctl list-units --all --plain --no-legend --full -- chainbot.service"
        #expect(
            runner.commandLines == [
                "systemctl enable --no-reload chainbot.service", "systemctl disable --no-reload chainbot.service",
                "systemctl start chainbot.service", check, check, "systemctl stop chainbot.service",
                "systemctl restart chainbot.service", check, check, "systemctl reset-failed chainbot.service",
                "systemctl daemon-reload",
            ])
        #expect(
            runner.invocations.map(\.timeout)
                == [60, 60, 120, 60, 60, 120, 120, 60, 60, 60, 60].map { Duration.seconds($0) })
    }

    /// Bound to a run, the provider checks a started service for as long as its `minUptime`: 0s is one check,
    /// 500ms five checks 100 ms apart; a service outside the desired set gets the default two.
    @Test(arguments: [(Duration.zero, 1), (.milliseconds(500), 5), (nil, 2)])
    func aStartIsCheckedForTheServicesMinUptime(minUptime: Duration?, checks: Int) async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["list-units"], exitCode: 0, output: "chainbot.service loaded active running ChainBot\n")
        runner.script("systemctl")
        var spec = Support.spec()
        spec.minUptime = minUptime
        let here = SourceLocation(file: "pi.yaml", line: 1, column: 1)
        let desired = [
            Resource(metadata: Metadata(name: "chainbot"), spec: .service(spec), location: here, nameLocation: here)
        ]
        let provider = Support.provider(runner: runner).bound(to: minUptime == nil ? [] : desired, applied: [:])

        try await provider.execute(.systemctl(.start, unit: "chainbot.service"))

        let check = "systemctl list-units --all --plain --no-legend --full -- chainbot.service"
        #expect(runner.commandLines == ["systemctl start chainbot.service"] + Array(repeating: check, count: checks))
    }

    @Test func aUnitThatDiesRightAfterStartingIsAFailedStepWithItsJournal() async throws {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["list-units"], exitCode: 0, output: "chainbot.service loaded failed failed ChainBot\n")
        runner.script(
            "systemctl", ["show"], exitCode: 0, output: "Result=exit-code\nExecMainStatus=1\n")
        runner.script("systemctl")
        runner.script("journalctl", exitCode: 0, output: "Traceback (most recent call last):\nImportError: no module\n")
        let provider = Support.provider(runner: runner)
        await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.start, unit: "chainbot.service"))
        }
        do {
            try await provider.execute(.systemctl(.start, unit: "chainbot.service"))
        } catch {
            #expect(error.message == "chainbot.service failed right after starting (exit-code, status 1)")
            #expect(error.detail.contains("ImportError: no module"))
        }
    }

    @Test func writesAndRemovesUnitFilesThroughTheFileSystem() async throws {
        let fileSystem = FakeFileSystem()
        let provider = Support.provider(fileSystem: fileSystem)
        let dropIn = "/etc/systemd/system/chainbot.service.d/limits.conf"

        try await provider.execute(.writeFile(FileWrite(path: Support.unitPath, content: Array("[Service]\n".utf8))))
        try await provider.execute(.writeFile(FileWrite(path: dropIn, content: Array("[Service]\nNice=5\n".utf8))))
        #expect(fileSystem.text(Support.unitPath) == "[Service]\n")
        #expect(fileSystem.mode(dropIn) == 0o644)

        try await provider.execute(.removeFile(path: dropIn))
        #expect(fileSystem.paths == [Support.unitPath])
    }

    @Test(arguments: [
        "/etc/passwd", "/etc/systemd/system/../../passwd", "/etc/systemd/system/chainbot.service.d/../../x.conf",
        "/etc/systemd/system/multi-user.target.wants/chainbot.service", "/etc/systemd/system/chainbot.service.d/x.sh",
        "/etc/systemd/system/x.target",
    ])
    func refusesToWriteOrRemoveAnythingButAUnitFileOrDropIn(path: String) async {
        let fileSystem = FakeFileSystem()
        let provider = Support.provider(fileSystem: fileSystem)

        await #expect(throws: ProviderError.self) {
            try await provider.execute(.writeFile(FileWrite(path: path, content: [])))
        }
        await #expect(throws: ProviderError.self) { try await provider.execute(.removeFile(path: path)) }
        #expect(fileSystem.touched.isEmpty)
    }

    @Test func refusesAUnitNameThatIsNotAServiceBeforeRunningAnything() async {
        let runner = FakeCommandRunner()
        let provider = Support.provider(runner: runner)

        for unit in ["../x.service", "-x.service", "x.service --now", "x.target", ""] {
            await #expect(throws: ProviderError.self) { try await provider.execute(.systemctl(.start, unit: unit)) }
        }
        #expect(runner.invocations.isEmpty)
    }

    @Test func addsTheLastJournalLinesToAFailedStart() async {
        let runner = FakeCommandRunner()
        let stderr =
            "Job for chainbot.service failed because the control process exited with error code.\n"
            + "See \"systemctl status chainbot.service\" and \"journalctl -xeu chainbot.service\" for details.\n"
        runner.script("systemctl", ["start"], exitCode: 1, errorOutput: stderr)
        let journal = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        runner.script("journalctl", output: journal)
        let provider = Support.provider(runner: runner)

        let error = await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.start, unit: "chainbot.service"))
        }

        #expect(
            error?.message
                == "systemctl start chainbot.service failed: Job for chainbot.service failed because the control process"
                + " exited with error code.")
        #expect(
            error?.detail
                == stderr.dropLast() + "\nlast 15 journal lines of chainbot.service:\n"
                + (6...20).map { "line \($0)" }.joined(separator: "\n"))
        #expect(
            runner.commandLines == [
                "systemctl start chainbot.service", "journalctl -u chainbot.service -n 15 --no-pager -o cat",
            ])
    }

    @Test func reportsAFailedStartEvenWhenTheJournalCannotBeRead() async {
        let runner = FakeCommandRunner()
        runner.script(
            "systemctl", ["restart"], exitCode: 5, errorOutput: "Failed to restart x.service: Unit not found.\n")
        let provider = Support.provider(runner: runner)

        let error = await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.restart, unit: "x.service"))
        }

        #expect(error?.message == "systemctl restart x.service failed: Failed to restart x.service: Unit not found.")
        #expect(error?.detail == "Failed to restart x.service: Unit not found.")
    }

    @Test func namesTheExitStatusWhenAFailedCommandSaidNothing() async {
        let runner = FakeCommandRunner()
        runner.script("systemctl", ["enable"], exitCode: 1)
        let provider = Support.provider(runner: runner)

        let error = await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.enable, unit: "x.service"))
        }

        #expect(error?.message == "systemctl enable --no-reload x.service failed: exit status 1")
        #expect(runner.commandLines == ["systemctl enable --no-reload x.service"])
    }

    @Test func enablesAndDisablesOfflineUnderTheRoot() async throws {
        let runner = FakeCommandRunner()
        runner.script("systemctl")
        let provider = Support.provider(.offline, runner: runner, fileSystem: FakeFileSystem(root: "/mnt/pi image"))

        try await provider.execute(.systemctl(.enable, unit: "chainbot.service"))
        try await provider.execute(.systemctl(.disable, unit: "chainbot.service"))
        try await provider.execute(.daemonReload)

        #expect(
            runner.invocations.map(\.arguments) == [
                ["--root=/mnt/pi image", "enable", "chainbot.service"],
                ["--root=/mnt/pi image", "disable", "chainbot.service"],
            ])
    }

    @Test func refusesToStartOffline() async {
        let runner = FakeCommandRunner()
        let provider = Support.provider(.offline, runner: runner, fileSystem: FakeFileSystem(root: "/image"))

        let error = await #expect(throws: ProviderError.self) {
            try await provider.execute(.systemctl(.start, unit: "chainbot.service"))
        }

        #expect(
            error?.message
                == "systemctl start chainbot.service: cannot be run offline (--root); only enable and disable can")
        #expect(runner.invocations.isEmpty)
    }
}
