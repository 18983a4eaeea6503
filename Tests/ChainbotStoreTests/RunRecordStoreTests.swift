import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

/// Intent before action, at the store: what a run commits before its first step, as steps finish, and
/// when it ends; and what the next writer finds when a run died.
@Suite("Run records")
struct RunRecordStoreTests {
    let clock = ManualClock()

    private func planned(_ names: [String]) -> [RevisionStep] {
        names.map {
            RevisionStep(
                kind: "ConfigFile", name: $0, action: "write /etc/\($0)", outcome: .pending, startedAt: clock.now(),
                finishedAt: clock.now())
        }
    }

    private func intent(_ names: [String]) -> RunIntent {
        RunIntent(
            generation: "g1", gitCommit: nil, planDigest: "sha256:abc", steps: planned(names),
            created: names.map { AppliedResource.sample(kind: "ConfigFile", name: $0) },
            owed: [
                PendingStep(
                    resource: ResourceID(.service, "web"), action: .systemctl(verb: "restart", unit: "web.service"),
                    since: clock.now())
            ])
    }

    @Test func beginningARunCommitsTheRevisionItsPlannedStepsOwnershipAndOwedStepsTogether() throws {
        let directory = TemporaryDirectory("chainbot-run-test")
        let store = try SQLiteStateStore.open(path: directory.file("state.db"), now: clock.now)
        let revision = try store.beginRun(intent(["a", "b"]))
        // A second connection sees what was committed, as the next process would after a kill.
        let other = try SQLiteStateStore.open(path: directory.file("state.db"), now: clock.now)
        let detail = try #require(try other.revision(revision.id))
        #expect(detail.revision.outcome == nil && detail.revision.planDigest == "sha256:abc")
        #expect(detail.steps.map(\.name) == ["a", "b"])
        #expect(detail.steps.allSatisfy { $0.outcome == .pending })
        #expect(try other.allApplied().map(\.name) == ["a", "b"])
        #expect(try other.allApplied().allSatisfy(\.createdByChainbot))
        #expect(try other.allPending().map(\.resource) == [ResourceID(.service, "web")])
    }

    @Test func stepOutcomesAreRecordedInPlaceAndTheEndCommitsInventoryAndEventsWithTheOutcome() throws {
        let store = try SQLiteStateStore.inMemory(now: clock.now)
        let revision = try store.beginRun(intent(["a", "b"]))
        var done = planned(["a"])[0]
        done.outcome = .succeeded
        try store.recordStepOutcomes([(seq: 1, step: done)], revision: revision.id)
        #expect(try store.revision(revision.id)?.steps.map(\.outcome) == [.succeeded, .pending])
        let missing = #expect(throws: StoreError.self) {
            try store.recordStepOutcomes([(seq: 3, step: done)], revision: revision.id)
        }
        #expect(missing?.code == .notFound)

        let event = Event(
            type: .normal, reason: "Applied", regardingKind: "ConfigFile", regardingName: "a", message: "created")
        let finished = try store.finishRun(
            revision.id,
            RunRecord(
                outcome: .partial, summaryJSON: "{}", forgotten: [ResourceID(.configFile, "b")], events: [event]))
        #expect(finished.outcome == .partial && finished.isFinished)
        #expect(try store.allApplied().map(\.name) == ["a"])
        #expect(try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).map(\.event.reason) == ["Applied"])
        #expect(try store.interruptUnfinishedRevisions().isEmpty)
    }

    @Test func anUnfinishedRevisionIsFinishedAsInterruptedWithItsLastCompletedStep() throws {
        let store = try SQLiteStateStore.inMemory(now: clock.now)
        let revision = try store.beginRun(intent(["a", "b", "c"]))
        var done = planned(["a"])[0]
        done.outcome = .succeeded
        try store.recordStepOutcomes([(seq: 1, step: done)], revision: revision.id)

        let found = try store.interruptUnfinishedRevisions()
        #expect(found.count == 1)
        let interrupted = try #require(found.first)
        #expect(interrupted.revision.id == revision.id && interrupted.revision.outcome == .interrupted)
        #expect(interrupted.lastCompletedSeq == 1 && interrupted.lastCompletedStep?.name == "a")
        #expect(interrupted.firstUnrecordedSeq == 2 && interrupted.firstUnrecordedStep?.name == "b")
        #expect(interrupted.plannedSteps == 3)
        #expect(try store.revisions(limit: 1).first?.outcome == .interrupted)
        // Found once: the next writer finds nothing more.
        #expect(try store.interruptUnfinishedRevisions().isEmpty)
    }

    @Test(.enabled(if: LockHolder.python3 != nil, "python3 is not on PATH"))
    func aRunCannotBeginWhileAnotherWriterHoldsTheLockAndLeavesNoTrace() throws {
        let directory = TemporaryDirectory("chainbot-run-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(
            path: path, configuration: SQLiteDatabase.Configuration(busyTimeout: .milliseconds(200)), now: clock.now)
        var error: StoreError?
        do {
            // Killed when it goes out of scope, before the lock's 30 s are up.
            let holder = try LockHolder(databasePath: path, holdSeconds: 30)
            error = #expect(throws: StoreError.self) { try store.beginRun(intent(["a"])) }
            withExtendedLifetime(holder) {}
        }
        #expect(error?.code == .busy)
        #expect(error?.description.contains(path) == true)
        #expect(try store.revisions(limit: 10).isEmpty)
        #expect(try store.allApplied().isEmpty)
        #expect(try store.allPending().isEmpty)
    }
}
