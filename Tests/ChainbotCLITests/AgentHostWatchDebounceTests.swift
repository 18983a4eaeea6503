import ChainbotCore
import Testing

@testable import ChainbotCLI

/// The debounce between host events and the work queue, driven by instants a test chooses (a manual clock).
@Suite struct AgentHostWatchDebounceTests {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    static func at(_ milliseconds: Int) -> Instant { Instant(offset: .milliseconds(milliseconds)) }
    static let a = ResourceID(.configFile, "a")
    static let b = ResourceID(.service, "b")
    static let c = ResourceID(.configFile, "c")

    @Test func eventsWithinTheWindowAreQueuedOnceAtItsEnd() {
        var batcher = HostWatchBatcher<Instant>()
        _ = batcher.record([Self.a], at: Self.at(0))
        _ = batcher.record([Self.b], at: Self.at(40))
        _ = batcher.record([Self.a], at: Self.at(90))
        #expect(batcher.due == Self.at(100))
        #expect(batcher.flush(at: Self.at(99)).ids == [])
        #expect(batcher.flush(at: Self.at(100)).ids == [Self.a, Self.b])
        #expect(batcher.due == nil)
        #expect(batcher.flush(at: Self.at(500)).ids == [])
    }

    @Test func aStormOfAHundredEventsASecondIsAFewSyncsAndReportedOnceAtItsStartAndEnd() {
        var batcher = HostWatchBatcher<Instant>()
        var notes: [String] = []
        var syncs = 0
        // 1000 events a second for 5 s (a unit flapping), flushed whenever due.
        for millisecond in 0..<5000 {
            if let note = batcher.record([Self.b], at: Self.at(millisecond)) { notes.append(note) }
            if let due = batcher.due, Self.at(millisecond) >= due {
                let (ids, note) = batcher.flush(at: Self.at(millisecond))
                syncs += ids.isEmpty ? 0 : 1
                if let note { notes.append(note) }
            }
        }
        // Then quiet: the window after it sees the calm and ends the storm.
        while let due = batcher.due {
            let (ids, note) = batcher.flush(at: due)
            syncs += ids.isEmpty ? 0 : 1
            if let note { notes.append(note) }
        }
        #expect(syncs <= 5, "\(syncs) syncs for a 5 s storm")
        #expect(notes.count == 2, "\(notes)")
        #expect(notes.first?.hasPrefix("host change storm: more than 100 events a second") == true)
        #expect(notes.last?.hasPrefix("host change storm over: 5000 events") == true)
        #expect(!batcher.storming)
    }

    @Test func whatAPassChangedItselfIsLookedAtOnceMoreAtOnceAndAnotherKeysChangeAfterTheWindow() {
        var batcher = HostWatchBatcher<Instant>()
        batcher.passStarted([Self.a, Self.b, Self.c])
        // The pass writes a's file (or a hand edits it in the same moment), and b's unit changes by hand
        // meanwhile; c changes too, but without an event.
        _ = batcher.record([Self.a], at: Self.at(10))
        _ = batcher.record([Self.b], at: Self.at(20))
        #expect(batcher.due == nil)
        let finished = batcher.passFinished(changed: [Self.a, Self.c], at: Self.at(30))
        #expect(finished.opened)
        #expect(finished.recheck == [Self.a])
        #expect(batcher.flush(at: Self.at(130)).ids == [Self.b])

        // The second look changes nothing: nothing more comes back.
        batcher.passStarted([Self.a])
        #expect(batcher.passFinished(changed: [], at: Self.at(140)) == (false, []))
        #expect(batcher.due == nil)
    }

    @Test func aKeyThePassFailedOnIsNotLookedAtAgainAtOnceButWaitsForItsRetry() {
        var batcher = HostWatchBatcher<Instant>()
        batcher.passStarted([Self.a, Self.b])
        // b's start failed, and its unit's failure sent events during the pass.
        _ = batcher.record([Self.a], at: Self.at(10))
        _ = batcher.record([Self.b], at: Self.at(20))
        let finished = batcher.passFinished(changed: [Self.a], failed: [Self.b], at: Self.at(30))
        #expect(finished == (false, [Self.a]))
        #expect(batcher.due == nil)
        #expect(batcher.pending.isEmpty)
    }

    @Test func aChangeToAKeyOutsideThePassInFlightIsQueuedAtOnce() {
        var batcher = HostWatchBatcher<Instant>()
        batcher.passStarted([Self.a])
        _ = batcher.record([Self.b], at: Self.at(0))
        #expect(batcher.due == Self.at(100))
        let finished = batcher.passFinished(changed: [Self.a], at: Self.at(50))
        #expect(!finished.opened)
        #expect(finished.recheck.isEmpty)
        #expect(batcher.flush(at: Self.at(100)).ids == [Self.b])
    }
}
