import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// The pid of the process that began a run is recorded with its intent and read back with the revision,
/// so `history` and `status` can say whether that process still runs it.
@Suite struct RevisionWriterPIDTests {
    @Test(arguments: StoreLocation.allCases)
    func aRunsRevisionCarriesThePidOfTheProcessThatBeganIt(location: StoreLocation) throws {
        let directory = TemporaryDirectory("chainbot-writer-pid")
        let store = try location.makeStore(in: directory, clock: ManualClock())
        let step = RevisionStep(
            kind: "ConfigFile", name: "motd", action: "write /etc/motd", outcome: .pending,
            startedAt: Timestamp(millisecondsSinceEpoch: 0), finishedAt: Timestamp(millisecondsSinceEpoch: 0))
        let begun = try store.beginRun(RunIntent(generation: "g1", gitCommit: nil, steps: [step]))
        #expect(begun.writerPID == getpid())
        #expect(try store.revisions(limit: 1).first?.writerPID == getpid())
        #expect(try store.revision(begun.id)?.revision.writerPID == getpid())

        let interrupted = try store.interruptUnfinishedRevisions()
        #expect(interrupted.map(\.revision.writerPID) == [getpid()], "the interrupted revision keeps its writer")
        #expect(try store.revisions(limit: 1).first?.writerPID == getpid())
    }

    @Test func aRevisionBegunWithoutAPlanHasNoWriterPid() throws {
        let store = try SQLiteStateStore.inMemory()
        let revision = try store.beginRevision(generation: "g1", gitCommit: nil)
        #expect(try store.revisions(limit: 1).first?.id == revision.id)
        #expect(try store.revisions(limit: 1).first?.writerPID == nil)
    }
}
