import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

@Suite("Revisions")
struct RevisionStoreTests {
    @Test(arguments: StoreLocation.allCases)
    func revisionKeepsItsStepsInRecordedOrder(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let started = clock.now()

        let revision = try store.beginRevision(generation: "abc123-dirty", gitCommit: "abc123")
        #expect(revision.startedAt == started)
        #expect(!revision.isFinished)
        let write = RevisionStep(
            kind: "Service", name: "chainbot", action: "write unit file", outcome: .succeeded,
            startedAt: started, finishedAt: started.advanced(by: .milliseconds(40)))
        let restart = RevisionStep(
            kind: "Service", name: "chainbot", action: "restart", outcome: .failed, error: "exit status 1",
            startedAt: started.advanced(by: .milliseconds(40)), finishedAt: started.advanced(by: .seconds(2)))
        let agent = RevisionStep(
            kind: "Agent", name: "chainbot", action: "register", outcome: .skipped, error: "Service/chainbot failed",
            startedAt: started.advanced(by: .seconds(2)), finishedAt: started.advanced(by: .seconds(2)))
        #expect(try store.addStep(write, toRevision: revision.id) == 1)
        #expect(try store.addStep(restart, toRevision: revision.id) == 2)
        #expect(try store.addStep(agent, toRevision: revision.id) == 3)

        clock.advance(by: .seconds(3))
        let finished = try store.finishRevision(revision.id, outcome: .partial, summaryJSON: #"{"failed":1}"#)
        #expect(finished.finishedAt == started.advanced(by: .seconds(3)))
        #expect(finished.outcome == .partial)

        let detail = try #require(try store.revision(revision.id))
        #expect(detail.revision == finished)
        #expect(detail.steps == [write, restart, agent])
    }

    @Test(arguments: StoreLocation.allCases)
    func revisionsListNewestFirst(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        var ids: [Int64] = []
        for generation in ["g1", "g2", "g3"] {
            let revision = try store.beginRevision(generation: generation, gitCommit: nil)
            try store.finishRevision(revision.id, outcome: .succeeded, summaryJSON: nil)
            ids.append(revision.id)
            clock.advance(by: .seconds(60))
        }
        #expect(ids == [1, 2, 3])
        #expect(try store.revisions(limit: 2).map(\.generation) == ["g3", "g2"])
        #expect(try store.revisions(limit: 10).map(\.id) == [3, 2, 1])
    }

    @Test(arguments: StoreLocation.allCases)
    func finishedRevisionTakesNoMoreSteps(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let clock = ManualClock()
        let store = try location.makeStore(in: directory, clock: clock)
        let revision = try store.beginRevision(generation: "g1", gitCommit: nil)
        try store.finishRevision(revision.id, outcome: .succeeded, summaryJSON: nil)
        let step = RevisionStep(
            kind: "Service", name: "x", action: "start", outcome: .succeeded, startedAt: clock.now(),
            finishedAt: clock.now())

        let late = #expect(throws: StoreError.self) { try store.addStep(step, toRevision: revision.id) }
        #expect(late?.code == .constraint)
        #expect(late?.message == "revision 1 has already finished")
        let twice = #expect(throws: StoreError.self) {
            try store.finishRevision(revision.id, outcome: .failed, summaryJSON: nil)
        }
        #expect(twice?.code == .constraint)
        #expect(try store.revision(revision.id)?.revision.outcome == .succeeded)
    }

    @Test(arguments: StoreLocation.allCases)
    func unknownRevisionIsNotFound(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-store-test")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        #expect(try store.revision(42) == nil)
        let error = #expect(throws: StoreError.self) {
            try store.finishRevision(42, outcome: .failed, summaryJSON: nil)
        }
        #expect(error?.code == .notFound)
        #expect(error?.message == "revision 42 does not exist")
    }
}
