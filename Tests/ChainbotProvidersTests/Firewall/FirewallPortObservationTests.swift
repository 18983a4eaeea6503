import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotProviders

/// A Port whose listener cannot be seen in full — its owner's descriptors are unreadable, or a socket table
/// cannot be read — is neither in sync nor drift: the listener is unobserved, with the /proc read that
/// failed, and no restart of the owner is planned.
@Suite struct FirewallPortObservationTests {
    static let here = SourceLocation(file: "pi.yaml", line: 1, column: 1)
    static let portID = ResourceID(.port, "chainbot-api")

    /// Service `chainbot` (unit `chainbot.service`) and the Port it must listen on, 0.0.0.0:9000/tcp.
    static let desired: [Resource] = [
        Resource(
            metadata: Metadata(name: "chainbot"),
            spec: .service(
                ServiceSpec(
                    unitName: "chainbot.service", definition: .structured(ServiceUnit(exec: "/usr/bin/chainbot")))),
            location: here, nameLocation: here),
        Resource(
            metadata: Metadata(name: "chainbot-api"),
            spec: .port(PortSpec(port: 9000, address: "0.0.0.0", owner: ResourceID(.service, "chainbot"))),
            location: here, nameLocation: here),
    ]

    /// What the engine would plan for the Port: its changes (unobserved facets left out, as the planner
    /// does), its steps and what was observed.
    static func plan(_ fileSystem: some HostFileSystem) async throws -> (
        changes: [FieldChange], steps: [StepAction], observed: ObservedResource
    ) {
        let provider = FirewallProvider(
            runner: FakeCommandRunner(),
            settings: .init(
                runtimeDirectory: "/nonexistent/run", runtimeFileSystem: LocalFileSystem(), watchdog: [["/bin/false"]]),
            launcher: DetachedLauncherStub(), listeners: ListenerReader(fileSystem: fileSystem)
        ).bound(to: desired, applied: [:])
        let port = try #require(desired.last)
        let rendered = try await provider.render(portID, spec: port.spec, previous: nil).facets
        let observed = try #require(
            try await provider.observe([ObserveTarget(id: portID, spec: port.spec)])[portID])
        let changes = rendered.compactMap { facet -> FieldChange? in
            if observed.unobserved[facet.name] != nil { return nil }
            let current = observed.facets[facet.name] ?? .absent
            return current == facet.value
                ? nil : FieldChange(resource: portID, facet: facet.name, from: current, to: facet.value)
        }
        let steps = provider.steps(for: portID, spec: port.spec, previous: nil, changes: changes, observed: observed)
        return (changes, steps, observed)
    }

    @Test func aListenerWhoseOwnerCannotBeSeenIsUnobservedWithTheReadThatFailed() async throws {
        let fixture = ProcNetFixture("alexos-pi")
        // uvicorn (pid 731) holds 0.0.0.0:9000, but its descriptors cannot be listed.
        let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem, deniedDirectories: ["/proc/731/fd"])
        let planned = try await Self.plan(fileSystem)
        #expect(planned.observed.facets[FirewallFacets.listener] == nil)
        #expect(
            planned.observed.unobserved[FirewallFacets.listener]
                == "0.0.0.0:9000/tcp is held by a process whose descriptors cannot be read (opendir \(fixture.root)/proc/731/fd: Permission denied (1 process unreadable); not root?), not chainbot.service"
        )
        #expect(planned.changes.isEmpty)
        #expect(planned.steps.isEmpty)
        #expect(planned.observed.health == .unknown)
    }

    @Test func anUnreadableSocketTableIsUnobservedAndRestartsNothing() async throws {
        let fixture = ProcNetFixture("alexos-pi")
        let fileSystem = ScriptedProcFileSystem(base: fixture.fileSystem, deniedReads: ["/proc/net/tcp"])
        let planned = try await Self.plan(fileSystem)
        #expect(
            planned.observed.unobserved[FirewallFacets.listener]
                == "cannot read listening sockets: open \(fixture.root)/proc/net/tcp: Permission denied")
        #expect(planned.changes.isEmpty)
        #expect(!planned.steps.contains(.systemctl(.restart, unit: "chainbot.service")))
        #expect(planned.steps.isEmpty)
        #expect(planned.observed.health == .unknown)
    }

    @Test func aListenerHeldOutsideTheOwnerIsStillDriftThatRestartsTheOwner() async throws {
        // The control: with every read made, uvicorn outside chainbot.service on 9000 is drift.
        let fixture = ProcNetFixture("alexos-pi-drift")
        let planned = try await Self.plan(fixture.fileSystem)
        #expect(planned.observed.unobserved.isEmpty)
        #expect(planned.changes.map(\.facet) == [FirewallFacets.listener])
        #expect(planned.steps == [.systemctl(.restart, unit: "chainbot.service")])
    }
}
