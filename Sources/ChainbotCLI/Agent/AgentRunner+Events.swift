import ChainbotCore
import ChainbotEngine
import ChainbotHTTP
import ChainbotProviders

/// What the agent tells others: events, the health summary, ALEX OS delivery, systemd's STATUS= line.
extension AgentRunner {
    /// `interval` ± 10 %, so many Pis pulling from one remote do not all knock at once.
    static func jittered(_ interval: Duration) -> Duration {
        interval * Double.random(in: 0.9...1.1)
    }

    func recordEvent(_ event: Event) {
        _ = try? store.recordEvent(event, outboxPayload: configuration.options.outboxPayload)
    }

    /// Records the health summary as a `HealthReport` event (to ALEX OS as `health_report`), with each
    /// WatchtowerTarget's own severity.
    func reportHealth() {
        var report = HealthReport(
            statuses: (try? store.allStatus()) ?? [], manifestProblem: manifestProblem,
            agentVersion: ChainbotCLI.version, severities: StatusBuilder.severities(desiredResources))
        report.host = configuration.options.host
        report.record(in: store, toAlexOS: configuration.options.alexOS != nil)
    }

    /// Sends what waits in the outbox; while something still waits, tries again after `deliveryInterval`.
    func deliverEvents() async {
        guard let endpoints = configuration.options.alexOS else { return }
        do {
            let report = try await OutboxDelivery(store: store, transport: concretes.transport, endpoints: endpoints)
                .deliverPending()
            nextDelivery = report.pending > 0 ? concretes.clock.now + configuration.deliveryInterval : nil
            if report.unreachable, let error = report.lastError {
                log("ALEX OS unreachable, \(report.pending) events wait in the outbox: \(error)")
            }
        } catch {
            log("delivering events failed: \(error)")
            nextDelivery = concretes.clock.now + configuration.deliveryInterval
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
