import ChainbotCore
import ChainbotStore
import Testing

@testable import ChainbotEngine

/// What is in force: the manifests, or a pin, and what was applied before, from a real state file.
@Suite struct DesiredAssemblyTests {
    let a = ResourceID(.service, "a")
    let b = ResourceID(.service, "b")
    let env = ResourceID(.configFile, "env")

    @Test func unpinnedTheManifestsAreInForceWithTheirGenerationCommitAndProblem() {
        let assembly = DesiredAssembly(
            manifests: [Resources.service("a")], generation: "c0ffee-dirty", gitCommit: "c0ffee",
            problem: "the manifests are invalid (1 problem); the last good manifests stay in force")
        let state = assembly.state(applied: [])
        #expect(state.resources.map(\.id) == [a])
        #expect(state.generation == "c0ffee-dirty")
        #expect(state.problem == assembly.problem)
        #expect(state.formerlyApplied.isEmpty)
        #expect(assembly.pass.resources.map(\.id) == [a])
        #expect(assembly.pass.generation == "c0ffee-dirty")
        #expect(assembly.pass.gitCommit == "c0ffee")
    }

    @Test func thePinnedSetWinsOverTheManifestsWithItsGenerationAndNoGitCommit() async throws {
        let world = try RecordedRevisions()
        let first = try await world.apply([Resources.service("a"), Resources.configFile("env")], generation: "g1")
        try Pin.set(first.id, reason: "", at: Timestamp(millisecondsSinceEpoch: 0), in: world.store)
        let pin = try #require(try Pin.current(in: world.store))

        let assembly = DesiredAssembly(
            manifests: [Resources.service("b")], generation: "g2", gitCommit: "g2", pin: pin)
        let state = assembly.state(applied: try world.store.allApplied())
        #expect(state.resources.map(\.id) == [a, env])
        #expect(state.generation == "g1")
        #expect(assembly.pass.resources.map(\.id) == [a, env])
        #expect(assembly.pass.generation == "g1")
        #expect(assembly.pass.gitCommit == nil, "a pinned revision is not the manifests' commit")
    }

    @Test func formerlyAppliedListsWhatWasAppliedButIsNoLongerDesired() async throws {
        let world = try RecordedRevisions()
        _ = try await world.apply(
            [Resources.service("a"), Resources.service("b"), Resources.configFile("env")], generation: "g1")
        let applied = try world.store.allApplied()

        let assembly = DesiredAssembly(manifests: [Resources.service("b")], generation: "g2", gitCommit: nil)
        let state = assembly.state(applied: applied)
        #expect(Set(state.formerlyApplied) == [a, env])
        #expect(state.formerlyApplied == DesiredAssembly.ids(applied).filter { $0 != b }, "in the store's order")
        #expect(state.keys == [env, a, b].sorted())
    }

    @Test func appliedRecordsOfAKindChainbotNoLongerKnowsAreLeftOut() {
        let record = AppliedResource(
            kind: "Gadget", name: "x", specJSON: "{}", specHash: "sha256:0", generation: "g0",
            appliedAt: Timestamp(millisecondsSinceEpoch: 0), createdByChainbot: true)
        let assembly = DesiredAssembly(manifests: [], generation: "g1", gitCommit: nil)
        #expect(assembly.state(applied: [record]).formerlyApplied.isEmpty)
    }
}

@Suite struct GenerationCommitTests {
    @Test func aGitGenerationNamesItsCommitAndAContentHashNamesNone() {
        #expect(DesiredAssembly.gitCommit(of: "3f9a71c2e8d5") == "3f9a71c2e8d5")
        #expect(DesiredAssembly.gitCommit(of: "3f9a71c2e8d5-dirty") == "3f9a71c2e8d5")
        #expect(DesiredAssembly.gitCommit(of: "sha256:0123456789ab") == nil)
    }
}
