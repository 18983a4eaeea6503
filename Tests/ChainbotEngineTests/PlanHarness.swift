import ChainbotCore

@testable import ChainbotEngine

/// Renders, observes and plans `desired` with fake providers, as `Reconciler.prepare` does, for planner
/// tests.
enum PlanHarness {
    static func plan(
        _ desired: [Resource], providers: [FakeProvider], applied: [ResourceID: AppliedSpec] = [:],
        prune: Bool = false, force: Bool = false, held: [ResourceID: String] = [:]
    ) async throws -> Plan {
        var rendered: [ResourceID: Rendered] = [:]
        var observed: [ResourceID: ObservedResource] = [:]
        for provider in providers {
            let mine = desired.filter { provider.kinds.contains($0.id.kind) }
            for resource in mine {
                rendered[resource.id] = try await provider.render(resource.id, spec: resource.spec, previous: nil)
            }
            let targets =
                mine.map { ObserveTarget(id: $0.id, spec: $0.spec) }
                + applied.filter { provider.kinds.contains($0.key.kind) }.map {
                    ObserveTarget(id: $0.key, spec: $0.value.spec)
                }
            observed.merge(try await provider.observe(targets)) { a, _ in a }
        }
        var input = PlanInput(desired: desired, rendered: rendered, observed: observed, applied: applied, prune: prune)
        input.held = held
        return try Planner(providers: providers).plan(input, allowPruningEverything: force)
    }
}
