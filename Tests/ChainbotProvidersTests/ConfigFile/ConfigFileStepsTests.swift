import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// The actions planned for create, update, no change, a moved path and prune.
struct ConfigFileStepsTests {
    let host = ConfigFileHost()
    let id = ResourceID(.configFile, "app")
    let spec = ConfigFileSpec(path: "/etc/app.conf", content: .text("a = 1\n"), mode: 0o640, owner: "root")

    @Test func createsMissingFileWithOneAtomicWrite() async throws {
        let (changes, actions) = try await host.plan(id, spec)

        #expect(changes.map(\.facet) == ["content", "mode", "owner"])
        #expect(changes.allSatisfy { $0.from == .absent })
        #expect(
            actions == [
                .writeFile(FileWrite(path: "/etc/app.conf", content: Array("a = 1\n".utf8), mode: 0o640, owner: "root"))
            ])
    }

    @Test func rewritesWholeFileWhenOnlyTheModeChanged() async throws {
        var changed = spec
        changed.owner = nil
        try await host.apply(id, changed)
        changed.mode = 0o600

        let (changes, actions) = try await host.plan(id, changed)

        #expect(changes.map(\.facet) == ["mode"])
        #expect(actions == [.writeFile(FileWrite(path: "/etc/app.conf", content: Array("a = 1\n".utf8), mode: 0o600))])
    }

    @Test func plansNothingWhenNothingChanged() async throws {
        var unowned = spec
        unowned.owner = nil
        try await host.apply(id, unowned)

        let (changes, actions) = try await host.plan(id, unowned)

        #expect(changes.isEmpty)
        #expect(actions.isEmpty)
    }

    @Test func ignoresChangesOfFacetsItDoesNotOwn() async throws {
        let rendered = try await host.rendered(id, spec)
        let foreign = [FieldChange(resource: id, facet: "enabled", from: .word("no"), to: .word("yes"))]

        let actions = host.provider.steps(
            for: id, spec: .configFile(spec), previous: nil, changes: foreign,
            observed: ObservedResource(id: id, facets: [:]), rendered: rendered)

        #expect(actions.isEmpty)
    }

    @Test func writesNewPathThenRemovesOldOneWhenThePathMoved() async throws {
        var moved = spec
        moved.path = "/etc/app/app.conf"

        let (_, actions) = try await host.plan(id, moved, previous: spec)

        #expect(
            actions == [
                .writeFile(
                    FileWrite(path: "/etc/app/app.conf", content: Array("a = 1\n".utf8), mode: 0o640, owner: "root")),
                .removeFile(path: "/etc/app.conf"),
            ])
    }

    @Test func prunesFileThatIsThereAndNothingElse() async throws {
        try host.handEdit("/etc/app.conf", "a = 1\n")
        let present = try await host.observe(id, spec)
        let absent = ObservedResource(id: id, facets: ["content": .absent])

        let prune = host.provider.steps(for: id, spec: nil, previous: .configFile(spec), changes: [], observed: present)
        let nothing = host.provider.steps(
            for: id, spec: nil, previous: .configFile(spec), changes: [], observed: absent)

        #expect(prune == [.removeFile(path: "/etc/app.conf")])
        #expect(nothing.isEmpty)
    }

    @Test func rendersInlineContentAgainWhenStepsComesWithoutRender() {
        let change = FieldChange(resource: id, facet: "content", from: .absent, to: .text("a = 1\n"))

        let actions = host.provider.steps(
            for: id, spec: .configFile(spec), previous: nil, changes: [change],
            observed: ObservedResource(id: id, facets: [:]))

        #expect(actions.count == 1)
    }

    @Test func usesRenderedBytesOnlyForTheSpecTheyCameFrom() async throws {
        let source = host.outside("files/app.conf", "from source\n")
        let sourced = ConfigFileSpec(path: "/etc/app.conf", content: .source(path: source, relative: "files/app.conf"))
        let rendered = try await host.rendered(id, sourced)
        var other = sourced
        other.mode = 0o600
        let change = FieldChange(resource: id, facet: "mode", from: .word("0644"), to: .word("0600"))

        let same = host.provider.steps(
            for: id, spec: .configFile(sourced), previous: nil, changes: [change],
            observed: ObservedResource(id: id, facets: [:]), rendered: rendered)
        let different = host.provider.steps(
            for: id, spec: .configFile(other), previous: nil, changes: [change],
            observed: ObservedResource(id: id, facets: [:]), rendered: rendered)

        #expect(same == [.writeFile(FileWrite(path: "/etc/app.conf", content: Array("from source\n".utf8)))])
        #expect(different.isEmpty)
    }

    @Test func executesWritesAndRemovesButRefusesSystemctl() async throws {
        try await host.provider.execute(.writeFile(FileWrite(path: "/etc/x", content: Array("x".utf8), mode: 0o600)))
        #expect(Fixtures.readText(host.onDisk("/etc/x")) == "x")

        try await host.provider.execute(.removeFile(path: "/etc/x"))
        #expect(!Fixtures.exists(host.onDisk("/etc/x")))

        await #expect(throws: ProviderError("the ConfigFile provider cannot run 'systemctl daemon-reload'")) {
            try await host.provider.execute(.daemonReload)
        }
    }

    @Test func writesTheBytesItsOwnRenderMadeEvenAfterALaterRenderOfTheSameSpec() async throws {
        let source = host.outside("files/app.conf", "first\n")
        let sourced = ConfigFileSpec(path: "/etc/app.conf", content: .source(path: source, relative: "files/app.conf"))
        let first = try await host.rendered(id, sourced)
        host.outside("files/app.conf", "second\n")
        _ = try await host.rendered(id, sourced)
        let change = FieldChange(resource: id, facet: "content", from: .absent, to: .text("first\n"))

        let actions = host.provider.steps(
            for: id, spec: .configFile(sourced), previous: nil, changes: [change],
            observed: ObservedResource(id: id, facets: [:]), rendered: first)

        #expect(actions == [.writeFile(FileWrite(path: "/etc/app.conf", content: Array("first\n".utf8)))])
    }
}
