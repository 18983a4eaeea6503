import ChainbotCore
import ChainbotHTTP
import ChainbotStore
import Synchronization

extension AgentEndpoint {
    /// Server-Sent Events: each event inserted or repeated, as `id: <change number>`, `event: <reason>`,
    /// `data: <json>`, checked every `eventPoll`, with a comment line after 15 quiet seconds to keep proxies
    /// from closing it. A client that sends `Last-Event-ID` (or `?lastEventId=N`, for clients that cannot set
    /// headers) first gets every change after N from the store, in order, each once; without one it gets
    /// what happens from now on.
    func eventStream(_ request: HTTPRequest) -> HTTPResponse {
        let feed = EventFeed(store: store, after: Self.lastEventID(request), poll: eventPoll)
        let stream = AsyncStream<[UInt8]>(unfolding: { await feed.next() })
        return HTTPResponse(
            status: 200,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"],
            stream: stream)
    }

    /// The change number the client saw last: the `Last-Event-ID` header, else `lastEventId` in the query;
    /// nil when neither is a number (an id from an older chainbot, `12-3`, counts as none).
    static func lastEventID(_ request: HTTPRequest) -> Int64? {
        if let header = request.headers["Last-Event-ID"] {
            return Int64(header.filter { $0 != " " && $0 != "\t" }).flatMap { $0 >= 0 ? $0 : nil }
        }
        for pair in (request.query ?? "").split(separator: "&") where pair.hasPrefix("lastEventId=") {
            return Int64(pair.dropFirst("lastEventId=".count)).flatMap { $0 >= 0 ? $0 : nil }
        }
        return nil
    }
}

/// The frames of one event stream, made when the connection asks for the next one: so a client that
/// reads slowly holds the feed back instead of having frames dropped, and a replay is read from the store
/// a batch at a time.
final class EventFeed: Sendable {
    private struct State {
        /// The last change sent; nil until the store could say where "now" is.
        var cursor: Int64?
        var pending: [EventChange] = []
        var greeted = false
        var lastSent = ContinuousClock.now
    }

    private let store: SQLiteStateStore
    private let poll: Duration
    private let state: Mutex<State>

    /// A feed of the changes after `cursor`. Without one it starts at the store's last change now, when
    /// the request is answered (not when the first frame is pulled, which could skip an event in between);
    /// a cursor past the last change (the state file was replaced) cannot be trusted and starts there too.
    init(store: SQLiteStateStore, after cursor: Int64?, poll: Duration) {
        self.store = store
        self.poll = poll
        let latest = try? store.latestEventSequence()
        state = Mutex(State(cursor: cursor.map { given in latest.map { min(given, $0) } ?? given } ?? latest))
    }

    /// The next frame; nil when the stream is cancelled (the client left or the server stops).
    func next() async -> [UInt8]? {
        let greet = state.withLock { state in
            defer { state.greeted = true }
            return !state.greeted
        }
        if greet { return Array(": chainbot events\nretry: 2000\n\n".utf8) }
        while !Task.isCancelled {
            if let frame = nextFrame() { return frame }
            try? await Task.sleep(for: poll)
        }
        return nil
    }

    /// The next change as a frame, a keep-alive after 15 quiet seconds, or nil for "nothing yet".
    private func nextFrame() -> [UInt8]? {
        if state.withLock({ $0.cursor == nil }), let latest = try? store.latestEventSequence() {
            state.withLock { $0.cursor = $0.cursor ?? latest }
        }
        let cursor = state.withLock { $0.pending.isEmpty ? $0.cursor : nil }
        if let cursor, let changes = try? store.eventChanges(after: cursor, limit: 100), let last = changes.last {
            state.withLock {
                $0.pending = changes
                $0.cursor = last.sequence
            }
        }
        return state.withLock { state in
            if !state.pending.isEmpty {
                state.lastSent = .now
                return Self.frame(state.pending.removeFirst())
            }
            if ContinuousClock.now - state.lastSent >= .seconds(15) {
                state.lastSent = .now
                return Array(": keep-alive\n\n".utf8)
            }
            return nil
        }
    }

    static func frame(_ change: EventChange) -> [UInt8] {
        let reason = String(change.stored.event.reason.rawValue.filter { !$0.isNewline })
        let data = AgentEndpoint.eventJSON(change.stored).serialized()
        return Array("id: \(change.sequence)\nevent: \(reason)\ndata: \(data)\n\n".utf8)
    }
}
