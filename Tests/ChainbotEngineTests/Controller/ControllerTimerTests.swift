import ChainbotCore
import Testing

@testable import ChainbotEngine

/// The agent's timers on the controller's clock (debounce, health report, delivery, git pull), given a
/// world and a manual clock, and the actions they lead to: reloads, passes, reports, deliveries, pulls.
@Suite struct ControllerTimerTests {
    let a = ResourceID(.service, "a")
    let clock = ManualClock()
    let handler = FakeSyncHandler()
    let housekeeper = FakeHousekeeper()
    let notifier = FakeNotifier()

    /// A controller whose resync is far off (600 s) and whose other timers are as given.
    func controller(
        healthReport: Duration = .seconds(600), delivery: Duration = .seconds(5), gitPull: Duration? = nil
    ) -> Controller<ManualClock> {
        var configuration = ControllerConfiguration(
            resync: .seconds(600), backoff: Backoff(base: .seconds(1), maximum: .seconds(300), jitter: 0))
        configuration.debounce = .milliseconds(300)
        configuration.healthReport = healthReport
        configuration.delivery = delivery
        configuration.gitPull = gitPull
        configuration.gitPullJitter = 0
        let source = FakeManifestSource(DesiredState(resources: [Resources.service("a")], generation: "g1"))
        let controller = Controller(
            configuration: configuration, clock: clock, source: source, handler: handler, notifier: notifier,
            housekeeper: housekeeper)
        // Reading the manifests finds them changed and queues the key, as the agent does.
        housekeeper.onReload { [a] in await controller.add([a]) }
        return controller
    }

    func waitsUntil(_ deadlines: [Duration], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let expected = deadlines.map(clock.at)
        try await eventually("the clock's sleepers are \(deadlines)", sourceLocation: sourceLocation) {
            clock.deadlines == expected
        }
    }

    func started(_ controller: Controller<ManualClock>) async throws -> Task<Void, Never> {
        let run = Task { await controller.run() }
        try await eventually("the controller is ready") { notifier.messages.first?.hasPrefix("READY=1") == true }
        return run
    }

    @Test func aBurstOfFileEventsWithinTheDebounceWindowMakesOneReloadAndOnePass() async throws {
        let controller = controller()
        let run = try await started(controller)
        try await waitsUntil([.seconds(600)])

        controller.trigger(.filesChanged)
        try await waitsUntil([.milliseconds(300)])
        clock.advance(by: .milliseconds(200))
        controller.trigger(.filesChanged)
        try await waitsUntil([.milliseconds(500)])  // the quiet window starts again at the last event
        clock.advance(by: .milliseconds(200))
        controller.trigger(.filesChanged)
        try await waitsUntil([.milliseconds(700)])
        #expect(housekeeper.reloads == 0, "not while events keep coming")

        clock.advance(by: .milliseconds(300))
        try await eventually("the manifests were read and the pass ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(600)])
        #expect(housekeeper.reloads == 1)
        #expect(handler.batches == [[a]])
        controller.stop()
        await run.value
    }

    @Test func sighupReadsTheConfigurationAndTheManifestsAtOnce() async throws {
        let controller = controller()
        var next = ControllerConfiguration(resync: .seconds(30))
        next.healthReport = .seconds(600)
        housekeeper.answerReloadedConfiguration(next)
        let run = try await started(controller)
        try await waitsUntil([.seconds(600)])

        controller.trigger(.reloadConfiguration)
        try await eventually("the pass after the reload ran") { handler.batches.count == 1 }
        #expect(housekeeper.configurationReloads == 1)
        #expect(housekeeper.reloads == 1, "no debounce for SIGHUP")
        try await waitsUntil([.seconds(30)])  // the reloaded resync
        controller.stop()
        await run.value
    }

    @Test func theHealthReportIsSentEveryIntervalAndOnceAfterAPassThatChangedOrFailedSomething() async throws {
        handler.changes(onPass: 1)
        handler.script(a, [.converged, .converged, .requeueAfter(.seconds(500)), .terminal("bad")])
        let controller = controller(healthReport: .seconds(60))
        let run = try await started(controller)
        try await eventually("the first report went at the start") { housekeeper.reports == 1 }
        try await waitsUntil([.seconds(60)])
        clock.advance(by: .seconds(60))
        try await eventually("the second report went after the interval") { housekeeper.reports == 2 }
        try await waitsUntil([.seconds(120)])

        await controller.add([a])  // pass 1 changes something
        try await eventually("pass 1 ran") { handler.finished == 1 }
        try await eventually("a report went after the pass that changed something") { housekeeper.reports == 3 }
        await controller.add([a])  // pass 2 changes nothing
        try await eventually("pass 2 ran") { handler.finished == 2 }
        try await waitsUntil([.seconds(120)])
        #expect(housekeeper.reports == 3, "a quiet pass waits for the interval")

        await controller.add([a])  // pass 3: converged for now
        try await eventually("pass 3 ran") { handler.finished == 3 }
        await controller.add([a])  // pass 4 fails
        try await eventually("a report went after the failed pass") { housekeeper.reports == 4 }
        clock.advance(by: .seconds(60))
        try await eventually("the interval's report went") { housekeeper.reports == 5 }
        controller.stop()
        await run.value
    }

    @Test func deliveryIsTriedAgainEveryDeliveryIntervalWhileEntriesWaitAndStopsWhenNoneDo() async throws {
        housekeeper.scriptDeliveries([true, true, false])
        let controller = controller(delivery: .seconds(5))
        let run = try await started(controller)
        try await eventually("the first delivery went with the first report") { housekeeper.deliveries == 1 }
        try await waitsUntil([.seconds(5)])
        clock.advance(by: .seconds(4))
        #expect(housekeeper.deliveries == 1, "not before the interval")
        clock.advance(by: .seconds(1))
        try await eventually("the second try") { housekeeper.deliveries == 2 }
        try await waitsUntil([.seconds(10)])
        clock.advance(by: .seconds(5))
        try await eventually("the third try") { housekeeper.deliveries == 3 }
        try await waitsUntil([.seconds(600)])  // nothing waits: no more tries until a pass or a report
        #expect(housekeeper.deliveries == 3)

        await controller.add([a])
        try await eventually("every pass delivers its events") { housekeeper.deliveries == 4 }
        controller.stop()
        await run.value
    }

    @Test func gitIsPulledEveryIntervalAndAPullThatBringsACommitMakesAPass() async throws {
        housekeeper.scriptPulls([false, true])
        let controller = controller(gitPull: .seconds(30))
        let run = try await started(controller)
        try await waitsUntil([.seconds(30)])
        #expect(housekeeper.pulls == 0, "the first pull waits one interval")

        clock.advance(by: .seconds(30))
        try await eventually("the first pull") { housekeeper.pulls == 1 }
        try await waitsUntil([.seconds(60)])  // nothing new: no reload, no pass
        #expect(housekeeper.reloads == 0)

        clock.advance(by: .seconds(30))
        try await eventually("the second pull") { housekeeper.pulls == 2 }
        try await waitsUntil([.milliseconds(60_300)])  // a new commit: read after the debounce
        clock.advance(by: .milliseconds(300))
        try await eventually("the pass for the new commit ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(90)])
        #expect(housekeeper.reloads == 1)
        #expect(handler.batches == [[a]])
        controller.stop()
        await run.value
    }
}
