import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// `DriftDetected` says the host moved away from what chainbot applied; a manifest change that chainbot
/// carries out is an update, not drift.
@Suite struct DriftEventTests {
    let files = FakeProvider([.configFile])
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    private func applyOnce(_ store: SQLiteStateStore, _ resource: Resource, generation: String) async throws
        -> [Event]
    {
        let engine = Reconciler(providers: [files], store: store, now: clock)
        let prepared = try await engine.prepare([resource], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: generation, gitCommit: nil)
        #expect(report.converged)
        return try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).map(\.event)
            .filter { $0.generation == generation }
    }

    private func file(_ content: String) -> Resource {
        Resource(
            metadata: Metadata(name: "env"),
            spec: .configFile(ConfigFileSpec(path: "/etc/env", content: .text(content))),
            location: Resources.here, nameLocation: Resources.here)
    }

    @Test func aChangedManifestIsAppliedWithoutADriftEvent() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let id = ResourceID(.configFile, "env")
        files.want(id, [Facet("content", .text("one"))])
        _ = try await applyOnce(store, file("one"), generation: "g1")
        // The host holds what was applied; the manifests now say "two".
        files.see(id, ["content": .text("one")])
        files.want(id, [Facet("content", .text("two"))])

        let events = try await applyOnce(store, file("two"), generation: "g2")

        #expect(events.map(\.reason.rawValue) == ["Applied"], "\(events)")
    }

    @Test func aHandChangeUnderUnchangedManifestsIsDrift() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let id = ResourceID(.configFile, "env")
        files.want(id, [Facet("content", .text("one"))])
        _ = try await applyOnce(store, file("one"), generation: "g1")
        files.see(id, ["content": .text("edited by hand")])

        let events = try await applyOnce(store, file("one"), generation: "g2")

        #expect(events.map(\.reason.rawValue) == ["DriftDetected", "Applied"], "\(events)")
    }
}
