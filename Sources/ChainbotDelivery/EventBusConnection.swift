import ChainbotCore
import ChainbotHTTP

/// One connection of the event bus channel, from the handshake to its end: sends the outbox from the
/// bus's cursor in batches of at most `window` unconfirmed entries, moves the cursor on each `ack:N` pong,
/// and hands incoming messages to the channel.
struct EventBusConnection {
    let channel: EventBusChannel
    let client: WebSocketClient
    /// The store's cursor: every entry through it is confirmed.
    private var confirmed: Int64 = 0
    /// The last entry sent on this connection.
    private var sent: Int64 = 0
    /// Sent and not yet confirmed, in order.
    private var unconfirmed: [Int64] = []
    private var look = true

    init(channel: EventBusChannel, client: WebSocketClient) {
        self.channel = channel
        self.client = client
    }

    static let ackPrefix = "ack:"

    /// Runs the connection until it ends or the channel stops; returns why it ended.
    mutating func serve() -> String {
        do throws(StoreError) {
            confirmed = try channel.outbox.cursor()
        } catch {
            client.close(.internalError, reason: "the state file cannot be read")
            return "the state file cannot be read: \(error)"
        }
        sent = confirmed
        while true {
            if channel.isStopping { return closing(.goingAway, "chainbot is stopping") }
            if look {
                look = false
                if let problem = sendMore() { return problem }
            }
            let event = client.next(until: .now + channel.settings.safetyPoll, waker: channel.waker)
            switch event {
            case .woken, .timeout: look = true
            case .pong(let payload): confirm(payload)
            case .text(let text): receive(text)
            case .closed(let code, let why): return code.map { "closed \($0): \(why)" } ?? why
            }
        }
    }

    /// Sends what the outbox has after the last entry sent, while the window has room; then asks for a
    /// confirmation. Nil, or why the connection cannot go on.
    private mutating func sendMore() -> String? {
        let room = channel.settings.window - unconfirmed.count
        guard room > 0 else { return nil }
        let entries: [OutboxEntry]
        do throws(StoreError) {
            entries = try channel.outbox.entries(sent, room)
        } catch {
            // A busy or broken state file: the next look (the safety poll) tries again.
            channel.log("event bus: reading the outbox failed: \(error)")
            return nil
        }
        guard !entries.isEmpty else { return nil }
        do throws(WebSocketClientError) {
            for entry in entries {
                try client.send(text: entry.payloadJSON)
                unconfirmed.append(entry.id)
                sent = entry.id
            }
            try client.ping(Array((Self.ackPrefix + String(sent)).utf8))
        } catch {
            return closing(.internalError, "cannot send: \(error.message)")
        }
        // A full batch: there may be more behind it, once the window has room.
        look = entries.count == room
        return nil
    }

    /// A pong `ack:N`: the bus has read everything through entry N.
    private mutating func confirm(_ payload: [UInt8]) {
        let text = String(decoding: payload, as: UTF8.self)
        guard text.hasPrefix(Self.ackPrefix), let through = Int64(text.dropFirst(Self.ackPrefix.count)),
            through > confirmed, through <= sent
        else { return }
        do throws(StoreError) {
            try channel.outbox.confirm(confirmed, through)
        } catch {
            // Not recorded: these entries go again on the next connection (the bus drops them by key).
            channel.log("event bus: recording the delivery failed: \(error)")
            return
        }
        let count = unconfirmed.prefix { $0 <= through }.count
        unconfirmed.removeFirst(count)
        confirmed = through
        channel.counters.addPublished(count)
        look = true
    }

    private func receive(_ text: String) {
        switch EventBusRequest(message: text) {
        case .reconcile(let id):
            channel.counters.addReconcileRequest()
            channel.onRequest(id)
        case .ignored:
            channel.counters.addIgnored()
        }
    }

    /// Closes with `code` and waits for the bus's answer (bounded by the close timeout).
    private func closing(_ code: WebSocketCloseCode, _ why: String) -> String {
        client.close(code, reason: why)
        let end = ContinuousClock.now + .seconds(5)
        while true {
            let event = client.next(until: end)
            if case .closed = event { break }
            if event == .timeout { break }
        }
        return why
    }
}
