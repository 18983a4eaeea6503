import ChainbotCore

/// One sample per resource for each of sync and health, for every resource of the desired set (also one
/// not looked at yet) and every other resource the store holds a status for (one that left the
/// manifests and waits for a prune).
///
/// A resource without a status, and one whose status is `Unknown`, shows as not synced and not healthy
/// (0), with its state-set sample `status="Unknown"` at 1: an alert on `chainbot_resource_synced == 0`
/// fires for what chainbot cannot vouch for, and the state set tells it apart from OutOfSync.
struct AgentMetricsResources {
    /// One resource's labels and states.
    struct Row {
        var kind: String
        var name: String
        var sync: ResourceStatus.Sync
        var health: Health
    }

    let rows: [Row]

    init(statuses: [ResourceStatus], desired: [ResourceID]?) {
        var byReference: [String: Row] = [:]
        for id in desired ?? [] {
            byReference[id.description] = Row(kind: id.kind.rawValue, name: id.name, sync: .unknown, health: .unknown)
        }
        for status in statuses {
            byReference[status.reference] = Row(
                kind: status.kind, name: status.name, sync: status.sync, health: status.health)
        }
        rows = byReference.values.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    func write(_ text: inout AgentMetricsText) {
        text.family(
            "chainbot_resource_synced", .gauge,
            "1 when the host matches the manifests for the resource, 0 when out of sync or unknown.",
            rows.map { .init(labels($0), $0.sync == .synced) })
        text.family(
            "chainbot_resource_healthy", .gauge,
            "1 when the resource is Healthy, 0 for any other health (also Unknown).",
            rows.map { .init(labels($0), $0.health == .healthy) })
        text.family(
            "chainbot_resource_sync_status", .gauge,
            "The resource's sync as a state set: 1 for its status (Synced, OutOfSync, Unknown), 0 for the others.",
            rows.flatMap { row in
                ResourceStatus.Sync.allCases.map { .init(labels(row) + [("status", $0.rawValue)], row.sync == $0) }
            })
        text.family(
            "chainbot_resource_health_status", .gauge,
            "The resource's health as a state set: 1 for its status (Healthy, Progressing, Degraded, Missing, "
                + "Unknown), 0 for the others.",
            rows.flatMap { row in
                Health.allCases.map { .init(labels(row) + [("status", $0.rawValue)], row.health == $0) }
            })
    }

    private func labels(_ row: Row) -> [(String, String)] {
        [("kind", row.kind), ("name", row.name)]
    }
}
