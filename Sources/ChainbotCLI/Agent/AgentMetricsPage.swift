import ChainbotCore
import ChainbotStore

/// The agent's `/metrics` page, computed when it is scraped (nothing here runs on a pass): the
/// controller's counters, every resource's sync and health, the outbox by channel, the git source, the
/// Pi's gauges and the standard `process_*` metrics. docs/agent-endpoint.md lists every metric.
struct AgentMetricsPage {
    let metrics: AgentMetrics
    let store: SQLiteStateStore
    let statePath: String
    /// When the agent (its endpoint) started.
    let started: Timestamp

    /// The whole page.
    func render() async -> String {
        var text = AgentMetricsText()
        let statuses = (try? store.allStatus()) ?? []
        let sources = metrics.sourcesSnapshot()
        controller(&text, statuses: statuses)
        AgentMetricsResources(statuses: statuses, desired: sources.desired).write(&text)
        AgentMetricsDelivery(store: store, sources: sources).write(&text)
        agent(&text, sources)
        AgentMetricsHostFamilies.write(&text, gauges: await metrics.host.gauges(statePath: statePath))
        AgentMetricsHostFamilies.write(&text, process: metrics.host.process())
        return text.text
    }

    /// Passes, steps, resyncs, drift, the queue: what the controller counted since the agent started.
    private func controller(_ text: inout AgentMetricsText, statuses: [ResourceStatus]) {
        let counters = metrics.snapshot()
        text.family("chainbot_reconcile_passes_total", .counter, "Sync passes run.", .init([], counters.passes))
        text.family(
            "chainbot_reconcile_failed_passes_total", .counter, "Sync passes in which something failed.",
            .init([], counters.failedPasses))
        text.family(
            "chainbot_reconcile_duration_seconds", .summary, "Time spent in sync passes.",
            [
                .init(suffix: "_sum", [], AgentMetricsText.number(counters.passSeconds)),
                .init(suffix: "_count", [], String(counters.passes)),
            ])
        text.family(
            "chainbot_steps_total", .counter, "Steps run, by outcome.",
            [
                .init([("outcome", "succeeded")], counters.stepsSucceeded),
                .init([("outcome", "failed")], counters.stepsFailed),
            ])
        text.family(
            "chainbot_resyncs_total", .counter, "Full resyncs started by the timer.",
            .init([], metrics.resyncs.load(ordering: .relaxed)))
        text.family(
            "chainbot_drift_resources", .gauge, "Resources found drifted in the last pass, by kind.",
            Kind.allCases.map { .init([("kind", $0.rawValue)], counters.driftByKind[$0.rawValue] ?? 0) })
        var byState: [[String]: Int] = [:]
        for status in statuses { byState[[status.sync.rawValue, status.health.rawValue], default: 0] += 1 }
        text.family(
            "chainbot_resources", .gauge, "Managed resources by sync and health.",
            byState.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map {
                .init([("sync", $0.key[0]), ("health", $0.key[1])], $0.value)
            })
        text.family(
            "chainbot_queue_depth", .gauge, "Work items waiting.",
            .init([], metrics.queueDepth.load(ordering: .relaxed)))
    }

    /// The agent itself: its manifests, its git source, when it last synced, its build.
    private func agent(_ text: inout AgentMetricsText, _ sources: AgentMetrics.Sources) {
        let problem = (try? store.meta(.agentManifestProblem)) ?? nil
        text.family(
            "chainbot_manifests_valid", .gauge, "1 when the manifests last loaded without a problem, else 0.",
            .init([], problem == nil))
        if sources.gitFollowed {
            let failing = ((try? store.meta(.agentGitProblem)) ?? nil) != nil
            text.family(
                "chainbot_git_last_success_timestamp_seconds", .gauge,
                "When a pull of the git source last succeeded (Unix time); 0 before the first since the agent started.",
                .init(
                    [],
                    sources.gitLastSuccess.map { AgentMetricsText.seconds(milliseconds: $0.millisecondsSinceEpoch) }
                        ?? "0"))
            text.family(
                "chainbot_git_pull_failures_total", .counter,
                "Pulls of the git source that failed since the agent started.",
                .init([], sources.gitFailures))
            text.family(
                "chainbot_git_source_failing", .gauge, "1 while the git source's last pull failed, else 0.",
                .init([], failing))
        }
        let last = ((try? store.meta(.agentLastSuccessfulSync)) ?? nil).flatMap(Int64.init) ?? 0
        text.family(
            "chainbot_last_successful_sync_timestamp_seconds", .gauge, "When a pass last succeeded (Unix time).",
            .init([], AgentMetricsText.seconds(milliseconds: last)))
        text.family(
            "chainbot_start_timestamp_seconds", .gauge, "When the agent started (Unix time).",
            .init([], AgentMetricsText.seconds(milliseconds: started.millisecondsSinceEpoch)))
        text.family(
            "chainbot_build_info", .gauge, "Always 1; the labels say which chainbot this is.",
            .init([("version", ChainbotCLI.version), ("arch", Self.architecture), ("os", "linux")], 1))
    }

    /// The CPU architecture chainbot was built for.
    static var architecture: String {
        #if arch(x86_64)
            "x86_64"
        #elseif arch(arm64)
            "aarch64"
        #elseif arch(arm)
            "armv7"
        #else
            "unknown"
        #endif
    }
}
