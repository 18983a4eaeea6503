import ChainbotCore
import ChainbotHTTP
import ChainbotStore

/// One WebSocket client of the agent endpoint: a `hello`, then every event change after its cursor from
/// the store (a replay first when it resumes), then live ones as they are stored, and the resources'
/// status changes. Runs on the connection's thread (`WebSocketSession`); reads the store, never writes.
final class AgentWebSocketSession: WebSocketSession {
    private let store: SQLiteStateStore
    private let statePath: String
    /// The last change sent (or skipped, for a client that did not resume).
    private var cursor: Int64
    /// Each resource's last status sent, `Kind/name` → its JSON; nil until the first look.
    private var statuses: [String: SentStatus]?
    private let signal: StoreChangeSignal
    private var lastSignal: Int?
    private var lastLook = ContinuousClock.now
    private var lastStatusLook = ContinuousClock.now
    /// Whether the store may hold changes not sent yet (a replay that stopped for the queue, a signal).
    private var eventsDue = true
    private var statusDue = false
    /// Whether to look once more on the next tick: a write can be seen before its commit is.
    private var recheck = false
    let waker = WebSocketWaker()

    /// How often the store is looked at when no change was signalled: a safety net for a signal the
    /// kernel lost, or a write seen before its commit was.
    static let safetyLook: Duration = .seconds(30)

    /// Batches read from the store in one tick at most (100 changes each), so a replay takes turns with
    /// reading the client's messages.
    static let batchesPerTick = 10

    init(store: SQLiteStateStore, statePath: String, signal: StoreChangeSignal, since: Int64?) {
        self.store = store
        self.statePath = statePath
        self.signal = signal
        lastSignal = signal.current()
        if let waker { signal.subscribe(waker) }
        cursor = Self.start(since, latest: (try? store.latestEventSequence()) ?? 0)
    }

    deinit {
        if let waker { signal.unsubscribe(waker) }
    }

    /// Where a feed starts: after `since` (not past the store's last change: a state file that was replaced
    /// cannot be trusted), or at the last change now.
    private static func start(_ since: Int64?, latest: Int64) -> Int64 {
        since.map { min($0, latest) } ?? latest
    }

    func opened(_ connection: WebSocketConnection) {
        let report = (try? StatusReport(store: store, statePath: statePath)) ?? StatusReport(empty: ())
        let hello: JSONValue = .object([
            ("type", .string("hello")), ("generation", report.generation.map(JSONValue.string) ?? .null),
            ("counts", AgentEndpoint.countsJSON(report.statuses)), ("since", .int(Int(cursor))),
        ])
        connection.send(text: hello.serialized())
        statuses = Self.statusMap(report)
        tick(connection)
    }

    func received(_ text: String, on connection: WebSocketConnection) {
        let message = try? JSONValue(parsing: text)
        guard let resume = message?["resume"]?.int, resume >= 0 else {
            let error: JSONValue = .object([
                ("type", .string("error")), ("message", .string("unknown message; send {\"resume\": ID}")),
            ])
            return connection.send(text: error.serialized())
        }
        cursor = Self.start(Int64(resume), latest: (try? store.latestEventSequence()) ?? cursor)
        eventsDue = !sendEvents(connection)
    }

    /// Looks at the store when the state file changed (and once more on the tick after), when the safety
    /// interval passed, or while a replay is under way: events at once, the status at most once a second.
    func tick(_ connection: WebSocketConnection) {
        let now = ContinuousClock.now
        let current = signal.current()
        let moved = current == nil || current != lastSignal
        if moved || recheck || now - lastLook >= Self.safetyLook {
            (lastSignal, lastLook, eventsDue, statusDue) = (current, now, true, true)
            recheck = moved && current != nil
        }
        if eventsDue { eventsDue = !sendEvents(connection) }
        if statusDue && now - lastStatusLook >= .seconds(1) {
            (statusDue, lastStatusLook) = (false, now)
            sendStatusChanges(connection)
        }
    }

    /// Sends the changes after the cursor while the connection takes them; true when none are left.
    private func sendEvents(_ connection: WebSocketConnection) -> Bool {
        for _ in 0..<Self.batchesPerTick {
            guard connection.canSend else { return false }
            guard let changes = try? store.eventChanges(after: cursor, limit: 100) else { return false }
            if changes.isEmpty { return true }
            for change in changes {
                let message: JSONValue = .object([
                    ("type", .string("event")), ("id", .int(Int(change.sequence))),
                    ("event", AgentEndpoint.eventJSON(change.stored)),
                ])
                connection.send(text: message.serialized())
                cursor = change.sequence
            }
            if changes.count < 100 { return true }
        }
        return false
    }

    /// Sends `status` for every resource whose status (as `/api/v1/resources` shows it) changed since the
    /// last look, and one with `removed` for a resource that is gone.
    private func sendStatusChanges(_ connection: WebSocketConnection) {
        guard connection.canSend, let all = try? store.allStatus() else { return }
        var report = StatusReport(empty: ())
        report.statuses = all
        report.suspensions = (try? store.suspensions(at: Timestamp.now())) ?? []
        let now = Self.statusMap(report)
        let before = statuses ?? [:]
        statuses = now
        for (reference, sent) in now.sorted(by: { $0.key < $1.key }) where before[reference] != sent {
            connection.send(text: sent.message(reference, ("resource", sent.json)).serialized())
        }
        for (reference, sent) in before.sorted(by: { $0.key < $1.key }) where now[reference] == nil {
            connection.send(text: sent.message(reference, ("removed", .bool(true))).serialized())
        }
    }

    private static func statusMap(_ report: StatusReport) -> [String: SentStatus] {
        var map: [String: SentStatus] = [:]
        for status in report.statuses {
            map[status.reference] = SentStatus(kind: status.kind, name: status.name, json: report.json(status))
        }
        return map
    }
}

/// A resource's status as a `/ws` client was last sent it.
private struct SentStatus: Equatable {
    var kind: String
    var name: String
    var json: JSONValue

    /// `{"type": "status", "kind", "name", "regarding": "Kind/name", member}`: `kind` and `name` as in
    /// every `-o json` object; `regarding` is the old spelling, deprecated and kept for one release (the
    /// changed status's own `resource` object carries `resource` too).
    func message(_ reference: String, _ member: (String, JSONValue)) -> JSONValue {
        .object([
            ("type", .string("status")), ("kind", .string(kind)), ("name", .string(name)),
            ("regarding", .string(reference)), member,
        ])
    }
}
