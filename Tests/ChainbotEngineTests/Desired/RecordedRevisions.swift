import ChainbotCore
import ChainbotStore
import ChainbotTestSupport

@testable import ChainbotEngine

/// A real state file in a temporary directory, with revisions recorded by the engine's own apply.
struct RecordedRevisions {
    let directory = TemporaryDirectory("chainbot-desired-test")
    let store: SQLiteStateStore
    static let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    init() throws {
        store = try SQLiteStateStore.open(path: directory.file("state.db"), now: Self.clock)
    }

    /// Applies `desired` through a `Reconciler` with fake providers; returns the revision it recorded.
    func apply(_ desired: [Resource], generation: String, prune: Bool = false) async throws -> Revision {
        let engine = Reconciler(
            providers: [FakeProvider([.service, .configFile])], store: store, now: Self.clock)
        let prepared = try await engine.prepare(desired, prune: prune, force: false)
        let report = try await engine.apply(prepared, generation: generation, gitCommit: nil)
        guard let revision = report.revision else { throw TestSetupError("no revision recorded for \(generation)") }
        return revision
    }

    /// A finished revision that recorded no desired set (as a run before specs were kept would).
    func revisionWithoutSpecs() throws -> Revision {
        let revision = try store.beginRevision(generation: "g-none", gitCommit: nil)
        try store.finishRevision(revision.id, outcome: .succeeded, summaryJSON: nil)
        return revision
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
