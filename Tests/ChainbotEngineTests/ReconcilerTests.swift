import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

@Suite struct ReconcilerTests {
    let services = FakeProvider([.service])
    let files = FakeProvider([.configFile])
    let clock: @Sendable () -> Timestamp = { Timestamp(millisecondsSinceEpoch: 1_700_000_000_000) }

    private func reconciler(_ store: SQLiteStateStore) -> Reconciler {
        Reconciler(providers: [services, files], store: store, now: clock)
    }

    @Test func applyRecordsARevisionAndTheLastAppliedSpecs() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = reconciler(store)
        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.configFile("env")], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        #expect(report.converged)
        #expect(Set(report.changed) == [ResourceID(.service, "a"), ResourceID(.configFile, "env")])
        let applied = try store.allApplied()
        #expect(applied.map(\.reference).sorted() == ["ConfigFile/env", "Service/a"])
        #expect(applied.allSatisfy { $0.createdByChainbot && $0.generation == "g1" })
        let revision = try #require(report.revision)
        let detail = try #require(try store.revision(revision.id))
        #expect(
            detail.steps.map(\.action) == [
                "write /fake/ConfigFile/env", "write /fake/Service/a", "systemctl daemon-reload",
                "systemctl start a.service",
            ])
        #expect(revision.outcome == .succeeded)
        let summary = try #require(SpecCoding.decode(RevisionSummary.self, from: revision.summaryJSON ?? ""))
        #expect(summary.resources.map(\.name).sorted() == ["a", "env"])
    }

    @Test func aFailedResourceKeepsItsOldLastAppliedSpecAndTheRunIsPartial() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = reconciler(store)
        services.fail(.systemctl(.start, unit: "a.service"))
        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.configFile("env")], prune: false, force: false)
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        #expect(!report.converged)
        #expect(report.failed == [ResourceID(.service, "a")])
        // Service/a was being created: that it is chainbot's was committed before its first step ran, so a
        // later prune removes what the failed run left on the host (its unit file).
        let applied = try store.allApplied()
        #expect(applied.map(\.reference) == ["ConfigFile/env", "Service/a"])
        #expect(applied.allSatisfy { $0.createdByChainbot })
        #expect(report.revision?.outcome == .partial)

        // A failed update keeps the old last-applied spec.
        let before = try #require(try store.applied(kind: "Service", name: "a"))
        services.see(ResourceID(.service, "a"), ["content": .text("old"), "state": .word("running")])
        services.fail(.systemctl(.restart, unit: "a.service"))
        let update = try await engine.prepare([Resources.service("a", dependsOn: [])], prune: false, force: false)
        _ = try await engine.apply(update, generation: "g2", gitCommit: nil)
        #expect(try store.applied(kind: "Service", name: "a")?.generation == before.generation)
    }

    @Test func anObserveFailureFailsOnlyThatProvidersResources() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        services.failObserving(ProviderError("systemctl show failed: System has not been booted with systemd"))
        let engine = reconciler(store)
        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.configFile("env")], prune: false, force: false)
        #expect(prepared.failures.map(\.id) == [ResourceID(.service, "a")])
        let report = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        #expect(report.changed == [ResourceID(.configFile, "env")])
        #expect(report.failed == [ResourceID(.service, "a")])
    }

    @Test func pruningForgetsTheResourceAfterItsStepsSucceed() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = reconciler(store)
        _ = try await engine.apply(
            try await engine.prepare([Resources.service("a"), Resources.service("b")], prune: false, force: false),
            generation: "g1", gitCommit: nil)
        services.see(ResourceID(.service, "a"), ["content": .text("x"), "state": .word("running")])
        services.see(ResourceID(.service, "b"), ["content": .text("x"), "state": .word("running")])
        let report = try await engine.apply(
            try await engine.prepare([Resources.service("a")], prune: true, force: false), generation: "g2",
            gitCommit: nil)
        #expect(report.pruned == [ResourceID(.service, "b")])
        #expect(try store.allApplied().map(\.reference) == ["Service/a"])
        #expect(services.executed.last == .removeFile(path: "/fake/Service/b"))
    }

    @Test func aSecondRunWithNothingToDoRecordsNothing() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = reconciler(store)
        _ = try await engine.apply(
            try await engine.prepare([Resources.service("a")], prune: false, force: false), generation: "g1",
            gitCommit: nil)
        services.see(ResourceID(.service, "a"), ["content": .text("x"), "state": .word("running")])
        let report = try await engine.apply(
            try await engine.prepare([Resources.service("a")], prune: false, force: false), generation: "g1",
            gitCommit: nil)
        #expect(report.records.isEmpty)
        #expect(report.revision == nil)
        #expect(report.unchanged == [ResourceID(.service, "a")])
        #expect(try store.revisions(limit: 10).count == 1)
    }

    @Test func aFailureCodedAsARevertedFirewallIsAFirewallRevertedEventWhateverItsMessageSays() async throws {
        let store = try SQLiteStateStore.inMemory(now: clock)
        let engine = reconciler(store)
        services.fail(.systemctl(.start, unit: "a.service"), with: ProviderError("put back", code: .firewallReverted))
        files.fail(
            .writeFile(FileWrite(path: "/fake/ConfigFile/env", content: [])),
            with: ProviderError("firewall reverted: only the text says so"))
        let prepared = try await engine.prepare(
            [Resources.service("a"), Resources.configFile("env")], prune: false, force: false)
        _ = try await engine.apply(prepared, generation: "g1", gitCommit: nil)
        let failures = try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).map(\.event).filter {
            $0.reason == "FirewallReverted" || $0.reason == "ApplyFailed"
        }
        #expect(
            failures.map { "\($0.regardingKind)/\($0.regardingName) \($0.reason)" }.sorted() == [
                "ConfigFile/env ApplyFailed", "Service/a FirewallReverted",
            ])
    }
}
