import ChainbotCore
import ChainbotTestSupport
import Glibc
import Synchronization
import Testing

@testable import ChainbotCLI

/// A monitor that is lost is started again, and then every resource is queued (changes may have gone
/// unseen); events are queued after the debounce.
@Suite struct AgentHostWatchLossTests {
    final class Recorder: Sendable {
        struct State {
            var starts = 0
            var failuresLeft = 0
            var sinks: [(event: @Sendable (HostEvent) -> Void, lost: @Sendable (String) -> Void)] = []
            var stopped = 0
            var queued: [[ResourceID]] = []
            var resyncs = 0
            var log: [String] = []
        }

        let state = Mutex(State())

        struct Monitor: HostMonitor {
            let recorder: Recorder
            func stop() { recorder.state.withLock { $0.stopped += 1 } }
        }

        var starter: HostMonitorStarter {
            HostMonitorStarter(
                name: "fake monitor", key: { $0.watchedPaths },
                start: { [self] _, onEvent, onLost in
                    try state.withLock { state in
                        state.starts += 1
                        if state.failuresLeft > 0 {
                            state.failuresLeft -= 1
                            throw CommandError.launchFailed(command: "fake", reason: "not installed")
                        }
                        state.sinks.append((onEvent, onLost))
                    }
                    return Monitor(recorder: self)
                })
        }

        func watch() -> HostWatch {
            let watch = HostWatch(
                starters: [starter], log: { line in self.state.withLock { $0.log.append(line) } },
                enqueue: { ids in self.state.withLock { $0.queued.append(ids) } },
                resyncAll: { self.state.withLock { $0.resyncs += 1 } })
            watch.update([AgentHostWatchLossTests.file: WatchPoints(paths: ["/etc/app.conf"])], root: "/")
            return watch
        }

        /// Waits (10 s at most) for `starts` starts and `stops` stops; monitors start on a thread of their own.
        func counts(starts: Int, stops: Int) async throws -> Bool {
            try await Poll.within(.seconds(60)) { state.withLock { ($0.starts, $0.stopped) == (starts, stops) } }
        }
    }

    static let file = ResourceID(.configFile, "app")

    @Test func aLostMonitorIsStartedAgainAndThenEverythingIsQueued() async throws {
        let recorder = Recorder()
        let watch = recorder.watch()
        defer { watch.stop() }
        try #require(try await recorder.counts(starts: 1, stops: 0))
        let first = try #require(recorder.state.withLock { $0.sinks.first })
        first.lost("the socket closed")
        let again = try await Poll.within(.seconds(60)) {
            recorder.state.withLock { $0.starts == 2 && $0.resyncs == 1 }
        }
        #expect(again, "\(recorder.state.withLock { $0.log })")
        #expect(
            recorder.state.withLock { $0.log.first }
                == "fake monitor lost: the socket closed; starting it again in 1s, then a full resync")

        // The new monitor's events are routed and queued after the debounce; a loss of the old one is stale.
        let second = try #require(recorder.state.withLock { $0.sinks.last })
        first.lost("stale")
        second.event(.file("/etc/app.conf"))
        second.event(.file("/etc/other.conf"))
        let queued = try await Poll.within(.seconds(60)) { recorder.state.withLock { $0.queued == [[Self.file]] } }
        #expect(queued, "\(recorder.state.withLock { $0.queued })")
        #expect(recorder.state.withLock { $0.starts } == 2)
    }

    @Test func aMonitorThatCannotStartIsRetriedWithoutStoppingTheAgent() async throws {
        let recorder = Recorder()
        recorder.state.withLock { $0.failuresLeft = 1 }
        let watch = recorder.watch()
        defer { watch.stop() }
        let failed = try await Poll.within(.seconds(60)) {
            recorder.state.withLock { $0.log.first?.hasPrefix("fake monitor lost: cannot start:") } == true
        }
        #expect(failed)
        let started = try await Poll.within(.seconds(60)) {
            recorder.state.withLock { $0.starts == 2 && $0.sinks.count == 1 && $0.resyncs == 1 }
        }
        #expect(started, "\(recorder.state.withLock { $0.log })")
    }

    @Test func aChangedDesiredSetRestartsTheMonitorWithTheNewPathsAndAnEmptyOneStopsIt() async throws {
        let recorder = Recorder()
        let watch = recorder.watch()
        defer { watch.stop() }
        try #require(try await recorder.counts(starts: 1, stops: 0))
        watch.update([Self.file: WatchPoints(paths: ["/etc/app.conf"])], root: "/")
        #expect(try await recorder.counts(starts: 1, stops: 0))
        watch.update([Self.file: WatchPoints(paths: ["/etc/app2.conf"])], root: "/")
        #expect(try await recorder.counts(starts: 2, stops: 1))
        watch.update([:], root: "/")
        #expect(try await recorder.counts(starts: 2, stops: 2))
    }

    @Test func aMonitorWhoseStartNeverReturnsHoldsUpNothing() async throws {
        let gate = Mutex<Bool>(false)
        let queued = Mutex<[[ResourceID]]>([])
        let stuck = HostMonitorStarter(
            name: "stuck", key: { $0.watchedPaths },
            start: { _, _, _ in
                // A socket that never answers: the start returns only when the test opens the gate.
                while !gate.withLock({ $0 }) { usleep(10_000) }
                throw CommandError.launchFailed(command: "stuck", reason: "gave up")
            })
        let watch = HostWatch(
            starters: [stuck, Recorder().starter], log: { _ in },
            enqueue: { ids in queued.withLock { $0.append(ids) } },
            resyncAll: {})
        defer {
            gate.withLock { $0 = true }
            watch.stop()
        }
        watch.update([Self.file: WatchPoints(paths: ["/etc/app.conf"])], root: "/")
        watch.receive(.file("/etc/app.conf"))
        #expect(try await Poll.within(.seconds(60)) { queued.withLock { $0 } == [[Self.file]] })
    }
}
