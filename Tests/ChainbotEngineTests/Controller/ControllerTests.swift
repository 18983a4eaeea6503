import ChainbotCore
import Synchronization
import Testing

@testable import ChainbotEngine

/// The reconcile loop, given a world (desired set, scripted outcomes, a manual clock), and the actions it
/// takes: which batches it syncs, when it wakes, what it tells systemd.
@Suite struct ControllerTests {
    let a = ResourceID(.service, "a")
    let b = ResourceID(.service, "b")
    let c = ResourceID(.configFile, "c")
    let clock = ManualClock()
    let handler = FakeSyncHandler()

    func world(_ names: [String], formerly: [ResourceID] = [], generation: String = "g1") -> FakeManifestSource {
        FakeManifestSource(
            DesiredState(
                resources: names.map { Resources.service($0) }, formerlyApplied: formerly, generation: generation))
    }

    func controller(
        _ source: FakeManifestSource, notifier: FakeNotifier = FakeNotifier(), resync: Duration = .seconds(600),
        passLimit: Duration = .seconds(600), onResync: @escaping @Sendable () -> Void = {}
    ) -> Controller<ManualClock> {
        let configuration = Controller<ManualClock>.Configuration(
            resync: resync, backoff: Backoff(base: .seconds(1), maximum: .seconds(300), jitter: 0),
            passLimit: passLimit)
        return Controller(
            configuration: configuration, clock: clock, source: source, handler: handler, notifier: notifier,
            onResync: onResync)
    }

    /// Waits until the loop sleeps until exactly `deadlines` (and nothing else wakes it).
    func waitsUntil(_ deadlines: [Duration], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        let expected = deadlines.map(clock.at)
        try await eventually("the clock's sleepers are \(deadlines)", sourceLocation: sourceLocation) {
            clock.deadlines == expected
        }
    }

    @Test func aRetryableFailureBacksOffExponentiallyAndASuccessResetsTheBackoff() async throws {
        handler.script(a, [.retryable("down"), .retryable("down"), .converged, .retryable("down")])
        let controller = controller(world(["a"]))
        await controller.add([a])
        let run = Task { await controller.run() }

        try await eventually("the first pass ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(1)])
        clock.advance(by: .milliseconds(999))
        #expect(handler.batches.count == 1, "not before its backoff")
        clock.advance(by: .milliseconds(1))
        try await eventually("the first retry ran") { handler.batches.count == 2 }
        try await waitsUntil([.seconds(3)])  // 1 s + 2 s
        clock.advance(by: .seconds(2))
        try await eventually("the second retry ran") { handler.batches.count == 3 }
        try await waitsUntil([.seconds(600)])  // converged: only the resync is left

        await controller.add([a])
        try await eventually("the re-added key ran") { handler.batches.count == 4 }
        try await waitsUntil([.seconds(4)])  // failed again: 1 s from 3 s, the backoff started over
        controller.stop()
        await run.value
        #expect(handler.batches == [[a], [a], [a], [a]])
    }

    @Test func aTerminalFailureIsNotRetriedUntilTheManifestsChange() async throws {
        handler.script(a, [.terminal("unit file is not valid")])
        let source = world(["a", "b"])
        let controller = controller(source, resync: .seconds(60))
        await controller.add([a, b])
        let run = Task { await controller.run() }

        try await eventually("the first pass ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(60)])  // no backoff for a
        clock.advance(by: .seconds(60))
        try await eventually("the resync ran") { handler.batches.count == 2 }
        #expect(handler.batches[1] == [b], "the resync leaves a terminal failure alone")

        try await waitsUntil([.seconds(120)])
        source.set(DesiredState(resources: [Resources.service("a"), Resources.service("b")], generation: "g2"))
        clock.advance(by: .seconds(60))
        try await eventually("the next resync ran") { handler.batches.count == 3 }
        #expect(handler.batches[2] == [a, b], "a new generation is worth another try")
        controller.stop()
        await run.value
    }

    @Test func aProbedKeyComesBackAtItsIntervalAndAFailingOneAtTheSoonerOfItsIntervalAndItsBackoff() async throws {
        handler.script(a, [.requeueAfter(.seconds(10)), .requeueAfter(.seconds(10))])
        handler.script(b, [.retryable("down", requeueAfter: .seconds(3))])
        let controller = controller(world(["a", "b"]))
        await controller.add([a, b])
        let run = Task { await controller.run() }

        try await eventually("the first pass ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(1)])  // b's backoff (1 s) is sooner than its interval (3 s)
        clock.advance(by: .seconds(1))
        try await eventually("b came back") { handler.batches.count == 2 }
        try await waitsUntil([.seconds(10)])
        clock.advance(by: .seconds(9))
        try await eventually("a came back at its interval") { handler.batches.count == 3 }
        try await waitsUntil([.seconds(20)])
        #expect(handler.batches == [[a, b], [b], [a]])
        controller.stop()
        await run.value
    }

    @Test func aReloadedConfigurationBringsTheResyncForwardAndStartsTheBackoffOver() async throws {
        handler.script(a, [.retryable("down"), .retryable("down"), .retryable("down")])
        let controller = controller(world(["a"]), resync: .seconds(600))
        await controller.add([a])
        let run = Task { await controller.run() }
        try await eventually("the first pass ran") { handler.batches.count == 1 }
        try await waitsUntil([.seconds(1)])
        clock.advance(by: .seconds(1))
        try await eventually("the retry ran") { handler.batches.count == 2 }
        try await waitsUntil([.seconds(3)])

        await controller.configure(
            ControllerConfiguration(resync: .seconds(30), backoff: Backoff(base: .seconds(5), jitter: 0)))
        try await waitsUntil([.seconds(3)])  // the wait already scheduled stands
        clock.advance(by: .seconds(2))
        try await eventually("the next retry ran") { handler.batches.count == 3 }
        try await waitsUntil([.seconds(8)])  // the new base, counted from the first failure again
        #expect(await controller.configuration.resync == .seconds(30))
        clock.advance(by: .seconds(5))
        try await eventually("the last scripted retry ran") { handler.batches.count == 4 }
        try await waitsUntil([.seconds(31)])  // converged; the resync is 30 s from the reload at 1 s
        controller.stop()
        await run.value
    }

    @Test func reAddsWhileAKeyIsBeingSyncedCoalesceIntoOneMorePass() async throws {
        let controller = controller(world(["a", "b"]))
        handler.holdNextPass()
        await controller.add([a])
        let run = Task { await controller.run() }
        try await eventually("the first pass is in flight") { handler.isHolding }

        await controller.add([a])
        await controller.add([a])
        await controller.add([b])
        handler.release()
        try await eventually("the second pass ran") { handler.batches.count == 2 }
        try await waitsUntil([.seconds(600)])
        #expect(handler.batches == [[a], [a, b]], "a once more, never twice at once")
        controller.stop()
        await run.value
    }

    @Test func theResyncQueuesEveryDesiredAndFormerlyAppliedKey() async throws {
        let resyncs = Counter()
        let notifier = FakeNotifier()
        let controller = controller(
            world(["a", "b"], formerly: [c]), notifier: notifier, resync: .seconds(60), onResync: resyncs.add)
        let run = Task { await controller.run() }
        try await eventually("the controller is ready") { notifier.messages.first == "READY=1\nSTATUS=fake" }
        try await waitsUntil([.seconds(60)])
        #expect(handler.batches.isEmpty, "nothing was queued before the resync")

        clock.advance(by: .seconds(60))
        try await eventually("the resync pass ran") { handler.batches.count == 1 }
        #expect(handler.batches == [[a, b, c]])
        #expect(resyncs.value == 1)
        controller.stop()
        await run.value
    }

    @Test func aPassThatOutlivesItsLimitStopsTheWatchdogPingsUntilItEnds() async throws {
        let notifier = FakeNotifier(watchdogInterval: .seconds(10))
        let controller = controller(world(["a"]), notifier: notifier, passLimit: .seconds(25))
        handler.holdNextPass()
        await controller.add([a])
        let run = Task { await controller.run() }
        try await eventually("the pass is in flight and pinged once") { handler.isHolding && notifier.pings == 1 }

        for (elapsed, pings) in [(10, 2), (20, 3)] {
            try await eventually("the pinger sleeps until \(elapsed) s") {
                clock.deadlines == [clock.at(.seconds(elapsed))]
            }
            clock.advance(by: .seconds(10))
            try await eventually("\(pings) pings") { notifier.pings == pings }
        }
        try await eventually("the pinger sleeps until 30 s") { clock.deadlines == [clock.at(.seconds(30))] }
        clock.advance(by: .seconds(10))
        try await eventually("the pinger sleeps until 40 s") { clock.deadlines == [clock.at(.seconds(40))] }
        #expect(notifier.pings == 3, "30 s into a pass limited to 25 s: no ping")

        handler.release()
        try await eventually("the pass ended") { handler.finished == 1 }
        clock.advance(by: .seconds(10))
        try await eventually("the pings resume") { notifier.pings == 4 }
        controller.stop()
        await run.value
    }

    @Test func stopLetsThePassInFlightFinishAndTakesNoMoreWork() async throws {
        let notifier = FakeNotifier()
        let controller = controller(world(["a", "b"]), notifier: notifier)
        handler.holdNextPass()
        await controller.add([a])
        let run = Task { await controller.run() }
        try await eventually("the pass is in flight") { handler.isHolding }

        controller.stop()
        await controller.add([b])
        #expect(handler.finished == 0)
        handler.release()
        await run.value
        #expect(handler.finished == 1, "the pass in flight finished")
        #expect(handler.batches == [[a]], "b was queued after the stop and not synced")
        #expect(notifier.messages.last == "STOPPING=1\nSTATUS=stopping")
    }
}

/// Counts calls from any thread.
final class Counter: Sendable {
    private let count = Mutex(0)
    @Sendable func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
