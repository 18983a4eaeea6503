import ChainbotCore

extension Reconciler {
    /// What rendering and observing found: each provider's `Rendered` and `ObservedResource` by resource,
    /// handed on to planning and from there to the providers' `steps`, and what could not be looked at.
    struct Looked {
        var rendered: [ResourceID: Rendered] = [:]
        var observed: [ResourceID: ObservedResource] = [:]
        var failures: [ResourceFailure] = []
    }

    /// What chainbot last applied, of the managed kinds (narrowed to `kinds` and `ids` when given).
    func appliedSpecs(managed: Set<Kind>, kinds: Set<Kind>?, ids: Set<ResourceID>?) throws -> [ResourceID:
        AppliedSpec]
    {
        var applied: [ResourceID: AppliedSpec] = [:]
        for record in try store.allApplied() {
            guard let kind = Kind(rawValue: record.kind), managed.contains(kind), kinds?.contains(kind) ?? true,
                ids?.contains(ResourceID(kind, record.name)) ?? true,
                let spec = SpecCoding.appliedSpecs.decode(record.specJSON)
            else { continue }
            applied[ResourceID(kind, record.name)] = AppliedSpec(
                spec: spec, createdByChainbot: record.createdByChainbot)
        }
        return applied
    }

    /// Renders every desired resource, then observes, per provider in one batch, the rendered ones (with
    /// what `render` made) and the applied ones that left the manifests. A resource that cannot be
    /// rendered is not observed.
    func look(_ desired: [Resource], applied: [ResourceID: AppliedSpec], providers: [any Provider]) async
        -> Looked
    {
        var looked = Looked()
        let desiredIDs = Set(desired.map(\.id))
        for provider in providers {
            var targets: [ObserveTarget] = []
            for resource in desired where provider.kinds.contains(resource.id.kind) {
                let previous = applied[resource.id]?.spec
                do {
                    let rendered = try await provider.render(resource.id, spec: resource.spec, previous: previous)
                    looked.rendered[resource.id] = rendered
                    targets.append(
                        ObserveTarget(id: resource.id, spec: resource.spec, previous: previous, rendered: rendered))
                } catch {
                    looked.failures.append(ResourceFailure(id: resource.id, error: error.regarding(resource.id)))
                }
            }
            for (id, record) in applied where provider.kinds.contains(id.kind) && !desiredIDs.contains(id) {
                targets.append(ObserveTarget(id: id, spec: record.spec, previous: record.spec))
            }
            // A provider with nothing to look at in this run (the agent syncing one Watchtower target,
            // say) is not asked: no `systemctl show` or `nft list` for nothing.
            if targets.isEmpty { continue }
            do {
                var seen = try await provider.observe(targets.sorted { $0.id < $1.id })
                // One that could not be observed on its own cannot be planned; the others go on.
                for (id, resource) in seen.sorted(by: { $0.key < $1.key }) {
                    guard let failure = resource.failure else { continue }
                    looked.failures.append(ResourceFailure(id: id, error: failure.regarding(id)))
                    seen[id] = nil
                }
                looked.observed.merge(seen) { first, _ in first }
            } catch {
                for target in targets {
                    looked.failures.append(ResourceFailure(id: target.id, error: error.regarding(target.id)))
                }
            }
        }
        return looked
    }
}
