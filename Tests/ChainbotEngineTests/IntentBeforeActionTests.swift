import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Synchronization
import Testing

@testable import ChainbotEngine

/// What a run has committed to the state file by the time each step runs, as another process would see
/// it (a second connection): the revision and its planned steps, ownership, and earlier outcomes.
@Suite struct IntentBeforeActionTests {
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    @Test func theRevisionItsStepsAndOwnershipAreCommittedBeforeTheFirstStepAndOutcomesAsStepsFinish()
        async throws
    {
        let directory = TemporaryDirectory("chainbot-intent-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(path: path, now: clock)
        let observer = try SQLiteStateStore.open(path: path, now: clock)
        let witness = WitnessProvider(FakeProvider([.service, .configFile])) { action in
            // What a kill -9 right now would leave behind.
            let revision = try? observer.revisions(limit: 1).first
            let steps = revision.flatMap { try? observer.revision($0.id)?.steps } ?? []
            let owned = (try? observer.allApplied().filter(\.createdByChainbot).map(\.reference)) ?? []
            return Sighting(
                action: action.description, revisionOutcome: revision?.outcome, finished: revision?.isFinished,
                steps: steps.map { "\($0.action): \($0.outcome.rawValue)" }, owned: owned)
        }
        let engine = Reconciler(providers: [witness], store: store, now: clock)
        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.configFile("env")], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        #expect(report.converged)

        let sightings = witness.sightings
        #expect(sightings.count == 4)
        #expect(sightings.allSatisfy { $0.finished == false && $0.revisionOutcome == nil })
        #expect(sightings.allSatisfy { $0.owned == ["ConfigFile/env", "Service/a"] })
        #expect(
            sightings.map(\.steps) == [
                [
                    "write /fake/ConfigFile/env: pending", "write /fake/Service/a: pending",
                    "systemctl daemon-reload: pending", "systemctl start a.service: pending",
                ],
                [
                    "write /fake/ConfigFile/env: succeeded", "write /fake/Service/a: pending",
                    "systemctl daemon-reload: pending", "systemctl start a.service: pending",
                ],
                [
                    "write /fake/ConfigFile/env: succeeded", "write /fake/Service/a: succeeded",
                    "systemctl daemon-reload: pending", "systemctl start a.service: pending",
                ],
                [
                    "write /fake/ConfigFile/env: succeeded", "write /fake/Service/a: succeeded",
                    "systemctl daemon-reload: succeeded", "systemctl start a.service: pending",
                ],
            ])
        let revision = try #require(report.revision)
        #expect(revision.outcome == .succeeded && revision.planDigest?.hasPrefix("sha256:") == true)
        #expect(try observer.revision(revision.id)?.steps.allSatisfy { $0.outcome == .succeeded } == true)
        #expect(try observer.revisions(limit: 10).count == 1)
    }

    @Test func aStateFileLockedByAnotherWriterStopsTheRunBeforeAnyStep() async throws {
        let directory = TemporaryDirectory("chainbot-intent-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(
            path: path, configuration: SQLiteDatabase.Configuration(busyTimeout: .milliseconds(200)), now: clock)
        let files = FakeProvider([.configFile])
        // Drifted, not new: the run creates nothing, so only the revision is written before its step.
        files.see(ResourceID(.configFile, "env"), ["content": .text("drifted")])
        let engine = Reconciler(providers: [files], store: store, now: clock)
        let prepared = try await engine.prepare([Resources.configFile("env")], prune: false, force: false)
        #expect(prepared.plan.resources.map(\.action) == [.update])

        // Another connection holds `BEGIN EXCLUSIVE` for the whole apply.
        let other = try SQLiteDatabase(location: .path(path))
        try other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("BEGIN EXCLUSIVE")
        }
        let error = await #expect(throws: RunNotStarted.self) {
            try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        }
        try other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("ROLLBACK")
        }
        #expect(files.executed.isEmpty, "no step may run before the run is recorded")
        #expect(error?.cause.code == .busy)
        #expect(error?.description.contains("state file \(path) is locked by another writer") == true)
        #expect(error?.description.hasSuffix("nothing was changed") == true)
        #expect(try store.revisions(limit: 10).isEmpty)
        #expect(try store.allApplied().isEmpty)
    }

    @Test func aRevisionLeftUnfinishedIsReportedInterruptedWithItsLastCompletedStepByTheNextRun() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let files = FakeProvider([.configFile])
        let engine = Reconciler(providers: [files], store: store, now: clock)
        // A run that was killed after its first step's outcome was committed.
        let steps = ["a", "b"].map {
            RevisionStep(
                kind: "ConfigFile", name: $0, action: "write /fake/ConfigFile/\($0)", outcome: .pending,
                startedAt: clock(), finishedAt: clock())
        }
        let dead = try store.beginRun(RunIntent(generation: "g0", gitCommit: nil, steps: steps))
        var first = steps[0]
        first.outcome = .succeeded
        try store.recordStepOutcomes([(seq: 1, step: first)], revision: dead.id)

        let prepared = try await engine.prepare([Resources.configFile("a")], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        #expect(report.converged)
        #expect(try store.revision(dead.id)?.revision.outcome == .interrupted)
        let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
        let interrupted = try #require(events.first { $0.event.reason == "ApplyInterrupted" })
        #expect(interrupted.event.type == .warning)
        #expect(interrupted.event.regardingKind == "ConfigFile" && interrupted.event.regardingName == "b")
        #expect(
            interrupted.event.message
                == "revision \(dead.id) was interrupted after step 1 of 2 (ConfigFile/a: write /fake/ConfigFile/a, "
                + "succeeded); step 2 (ConfigFile/b: write /fake/ConfigFile/b) may have run; the host is observed "
                + "again and converged from there")
        #expect(try store.revisions(limit: 10).allSatisfy(\.isFinished))
    }

    @Test func aStoreThatStopsTakingWritesMidRunStopsTheSteps() async throws {
        let directory = TemporaryDirectory("chainbot-intent-test")
        let path = directory.file("state.db")
        let store = try SQLiteStateStore.open(
            path: path, configuration: SQLiteDatabase.Configuration(busyTimeout: .milliseconds(100)), now: clock)
        let other = try SQLiteDatabase(location: .path(path))
        let files = FakeProvider([.configFile])
        // The first step's outcome cannot be committed: another writer took the lock while it ran.
        let locking = WitnessProvider(files) { action in
            try? other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
                if !connection.isInTransaction { try connection.execute("BEGIN EXCLUSIVE") }
            }
            return Sighting(action: action.description)
        }
        let engine = Reconciler(providers: [locking], store: store, now: clock)
        let prepared = try await engine.prepare(
            [Resources.configFile("a"), Resources.configFile("b")], prune: false, force: false)
        await #expect(throws: StoreError.self) { try await engine.apply(prepared, generation: "g1", gitCommit: nil) }
        try other.withConnection { (connection: borrowing SQLiteConnection) throws(StoreError) in
            try connection.execute("ROLLBACK")
        }
        #expect(files.executed.count == 1, "no step runs after its predecessor's outcome could not be recorded")
    }
}

/// What a step saw in the state file when it started.
struct Sighting: Sendable, Hashable {
    var action: String
    var revisionOutcome: Revision.Outcome? = nil
    var finished: Bool? = nil
    var steps: [String] = []
    var owned: [String] = []
}

/// A provider that looks (through `look`) before each step it runs, then lets `inner` run it.
final class WitnessProvider: Provider, Sendable {
    let inner: FakeProvider
    let look: @Sendable (StepAction) -> Sighting
    private let seen = Mutex<[Sighting]>([])

    init(_ inner: FakeProvider, look: @escaping @Sendable (StepAction) -> Sighting) {
        self.inner = inner
        self.look = look
    }

    var kinds: [Kind] { inner.kinds }
    var sightings: [Sighting] { seen.withLock { $0 } }

    func render(_ id: ResourceID, spec: ResourceSpec, previous: ResourceSpec?) async throws(ProviderError) -> Rendered {
        try await inner.render(id, spec: spec, previous: previous)
    }

    func observe(_ targets: [ObserveTarget]) async throws(ProviderError) -> [ResourceID: ObservedResource] {
        try await inner.observe(targets)
    }

    func steps(for request: StepRequest) -> [StepAction] {
        inner.steps(for: request)
    }

    func execute(_ action: StepAction) async throws(ProviderError) {
        let sighting = look(action)
        seen.withLock { $0.append(sighting) }
        try await inner.execute(action)
    }
}
