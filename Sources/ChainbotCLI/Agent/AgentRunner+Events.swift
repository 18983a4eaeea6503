import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders

/// What the agent tells others: events, the health summary, ALEX OS delivery, systemd's STATUS= line.
extension AgentRunner {
    func recordEvent(_ event: Event) {
        _ = try? store.recordEvent(event, outboxPayload: configuration.outboxPayload)
    }

    /// Records the health summary as a `HealthReport` event (to ALEX OS as `health_report`), with each
    /// WatchtowerTarget's own severity.
    func reportHealth() {
        var report = HealthReport(
            statuses: (try? store.allStatus()) ?? [], manifestProblem: manifestProblem,
            agentVersion: ChainbotCLI.version, severities: StatusBuilder.severities(desiredResources))
        report.host = configuration.options.host
        report.generation = pin?.generation ?? (generation.isEmpty ? nil : generation)
        report.record(in: store, toAlexOS: configuration.outboxPayload != nil)
    }

    /// Sends what waits in the outbox; true while something still waits (or the delivery failed), so the
    /// controller tries again after its delivery interval.
    func deliverEvents() async -> Bool {
        guard let endpoints = configuration.options.alexOS else { return false }
        do {
            let report = try await OutboxDelivery(store: store, transport: concretes.transport, endpoints: endpoints)
                .deliverPending()
            metrics.delivered(channel: "webhook", delivered: report.delivered, failed: report.failed)
            if report.unreachable, let error = report.lastError {
                log("ALEX OS unreachable, \(report.pending) events wait in the outbox: \(error)")
            }
            return report.pending > 0
        } catch {
            log("delivering events failed: \(error)")
            return true
        }
    }

    func statusLine() async -> String { statusText }

    var statusText: String {
        let statuses = (try? store.allStatus()) ?? []
        let outOfSync = statuses.filter { $0.sync == .outOfSync }.count
        let degraded = statuses.filter { $0.health == .degraded || $0.health == .missing }.count
        let unknown = statuses.filter { $0.sync == .unknown }.count
        var line = "\(desiredResources.count) resources, \(outOfSync) out of sync, \(degraded) degraded"
        if unknown > 0 { line += ", \(unknown) unknown" }
        if let pin { line += "; pinned to revision \(pin.revision)" }
        if let manifestProblem { line += "; \(manifestProblem)" }
        return line
    }
}
