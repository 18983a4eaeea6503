import ChainbotCore
import ChainbotDelivery
import ChainbotStore

/// The outbox and its delivery channels: what waits, what each channel delivered and how often it failed
/// since the agent started. Channels: `webhook` (ALEX OS's event webhooks, when ALEX OS is configured) and
/// `bus` (ALEX OS's event bus, when `--event-bus-url` is set).
struct AgentMetricsDelivery {
    /// One channel's figures; `pending` nil when the store keeps no backlog for it.
    struct Channel {
        var name: String
        var pending: Int?
        var delivered: Int
        var failed: Int
    }

    let backlog: Int
    let channels: [Channel]
    let eventBus: EventBusCounters?

    init(store: SQLiteStateStore, sources: AgentMetrics.Sources) {
        let backlog = (try? store.pendingOutboxCount()) ?? 0
        var channels = sources.deliveries.sorted { $0.key < $1.key }.map { name, counts in
            // The webhook marks the outbox's entries delivered: its backlog is the outbox's.
            Channel(
                name: name, pending: name == "webhook" ? backlog : nil, delivered: counts.delivered,
                failed: counts.failed)
        }
        if let bus = sources.eventBus {
            // The bus keeps a cursor of its own: what comes after it waits for the bus.
            let cursor = ((try? store.channelCursor(AgentEventBus.channelName)) ?? nil) ?? 0
            channels.append(
                Channel(
                    name: "bus", pending: try? store.outboxCount(after: cursor), delivered: bus.published,
                    failed: bus.connectFailures))
        }
        self.backlog = backlog
        self.channels = channels
        eventBus = sources.eventBus
    }

    func write(_ text: inout AgentMetricsText) {
        text.family(
            "chainbot_outbox_backlog", .gauge, "Events in the outbox not yet delivered to ALEX OS.", .init([], backlog))
        text.family(
            "chainbot_outbox_pending", .gauge, "Events waiting to be delivered, by channel.",
            channels.compactMap { channel in channel.pending.map { .init([("channel", channel.name)], $0) } })
        text.family(
            "chainbot_outbox_deliveries_total", .counter,
            "Events delivered since the agent started, by channel (the bus: confirmed by its pong).",
            channels.map { .init([("channel", $0.name)], $0.delivered) })
        text.family(
            "chainbot_outbox_delivery_failures_total", .counter,
            "Deliveries that failed since the agent started, by channel (webhook: each failed request, retries too; "
                + "bus: each failed attempt to connect).",
            channels.map { .init([("channel", $0.name)], $0.failed) })
        guard let eventBus else { return }
        text.family(
            "chainbot_event_bus_connected", .gauge, "1 while the connection to ALEX OS's event bus is open, else 0.",
            .init([], eventBus.isConnected))
        text.family(
            "chainbot_event_bus_connections_total", .counter, "Connections to the event bus opened (reconnects too).",
            .init([], eventBus.connections))
        text.family(
            "chainbot_event_bus_ignored_messages_total", .counter,
            "Messages from the bus not addressed to chainbot or not understood.", .init([], eventBus.ignoredMessages))
        text.family(
            "chainbot_event_bus_reconcile_requests_total", .counter,
            "reconcile_request messages from the bus that queued a resource.", .init([], eventBus.reconcileRequests))
    }
}
