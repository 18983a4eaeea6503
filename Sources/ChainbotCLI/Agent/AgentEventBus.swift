import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotOS
import ChainbotStore
import Synchronization

/// The agent's client of ALEX OS's event bus (`--event-bus-url`, `event-bus-url:`): an `EventBusChannel`
/// over this state file's outbox, on a thread of its own, woken by the state file's changes; a
/// `reconcile_request` the bus sends queues that resource on the controller.
///
/// The bus's cursor is `delivery.eventBus.through` in the store. The first start on a state file begins
/// at the newest entry: what was recorded before the bus was configured is not sent.
final class AgentEventBus: Sendable {
    /// The channel's name in the store (`delivery.eventBus.through`).
    static let channelName = "eventBus"

    let channel: EventBusChannel
    private let signal: StoreChangeSignal
    private let finished = Atomic<Bool>(false)

    /// What the channel counted: published, connections, ignored messages, reconcile requests.
    var counters: EventBusCounters { channel.counters }

    /// A bus channel over `store`; `soleChannel`: no webhook delivers the outbox, so the bus's
    /// confirmation marks entries delivered too.
    init(
        settings: EventBusChannel.Settings, store: SQLiteStateStore, statePath: String, soleChannel: Bool,
        onRequest: @escaping @Sendable (ResourceID) -> Void, log: @escaping @Sendable (String) -> Void
    ) {
        let name = Self.channelName
        let outbox = EventBusOutbox(
            entries: { after, limit throws(StoreError) in try store.outboxEntries(after: after, limit: limit) },
            cursor: { () throws(StoreError) in try store.channelCursor(name) ?? 0 },
            confirm: { after, through throws(StoreError) in
                try store.recordChannelDelivery(name, after: after, through: through, marksEntries: soleChannel)
            })
        channel = EventBusChannel(settings: settings, outbox: outbox, onRequest: onRequest, log: log)
        signal = StoreChangeSignal(statePath: statePath)
        // The first start on this state file: begin after what is already there.
        if (try? store.channelCursor(name)) ?? nil == nil, let latest = try? store.latestOutboxEntryID() {
            try? store.recordChannelDelivery(name, after: latest, through: latest, marksEntries: false)
        }
    }

    /// Runs the channel on its own thread until `stop`.
    func start() throws(SystemError) {
        if let waker = channel.waker, signal.isWatching { signal.subscribe(waker) }
        try DetachedThread.start(name: "cb-event-bus") { [self] in
            channel.run()
            finished.store(true, ordering: .releasing)
        }
    }

    /// Closes the connection (1001) and waits, up to 5 s, for the thread to end.
    func stop() async {
        channel.stop()
        if let waker = channel.waker { signal.unsubscribe(waker) }
        let end = ContinuousClock.now + .seconds(5)
        while !finished.load(ordering: .acquiring), ContinuousClock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `--event-bus-url` (or `event-bus-url:`) as a URL; nil when not given.
    static func url(_ arguments: Arguments) -> Result<WebSocketURL?, UsageError> {
        guard let text = arguments.value("event-bus-url") else { return .success(nil) }
        do { return .success(try WebSocketURL(parsing: text)) } catch {
            return .failure(UsageError(message: "--event-bus-url \(text): \(error.message)"))
        }
    }
}

extension AgentRunner.Configuration {
    /// The webhook envelope of each event occurrence when ALEX OS (its webhook) or its bus is configured.
    var outboxPayload: (@Sendable (StoredEvent, String) -> String)? {
        guard options.alexOS != nil || eventBus != nil else { return nil }
        return { stored, key in EventEnvelope.render(stored, idempotencyKey: key) }
    }
}

extension AgentRunner {
    /// Starts the bus client when one is configured; its requests queue resources on `controller`.
    func startEventBus(_ controller: Controller<ContinuousClock>) -> AgentEventBus? {
        guard let url = configuration.eventBus else { return nil }
        let bus = AgentEventBus(
            settings: EventBusChannel.Settings(url: url), store: store,
            statePath: configuration.options.statePath, soleChannel: configuration.options.alexOS == nil,
            onRequest: { [weak self] id in
                Task { await self?.requested(id, controller) }
            }, log: { [weak self] in self?.log($0) })
        do { try bus.start() } catch {
            log("event bus: cannot start its thread: \(error)")
            return nil
        }
        eventBusClient = bus
        return bus
    }

    /// A `reconcile_request` for `id`: a pass of it now, when it is one of the agent's resources.
    private func requested(_ id: ResourceID, _ controller: Controller<ContinuousClock>) async {
        guard allIDs().contains(id) else {
            log("event bus: reconcile_request for \(id), which this agent does not manage; ignored")
            return
        }
        log("event bus: reconcile_request for \(id)")
        await controller.add([id])
    }
}
