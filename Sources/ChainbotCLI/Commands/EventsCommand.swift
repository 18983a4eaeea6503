import ChainbotCore
import ChainbotStore
import Glibc

/// `chainbot events`: the recorded events, least recently seen first.
enum EventsCommand {
    static let command = Command(
        name: "events", summary: "list recorded events (drift, applied, failed, pruned)",
        usage: "chainbot events [--since DURATION] [--watch] [-o text|json] [--state FILE] [--root DIR]",
        help: """
            Lists the events `chainbot apply` recorded, Kubernetes style: type (Normal or Warning), reason,
            the resource they regard, the message, how many times they occurred and when first and last.
            Repeated events are one line with a count. Events also go to ALEX OS through the outbox when
            an ALEX OS URL is configured (see docs/alexos.md).

            options:
              --since DURATION      only events last seen within DURATION (e.g. 30m, 2h, 7d; at most 365d)
              -w, --watch           keep running and print each new or repeated event as it is recorded
                                    (by the agent or an apply in another shell); one JSON document per
                                    line with -o json (docs/json-output.md)
              -o, --output FORMAT   text (default) or json
              --state FILE          state file (default /var/lib/chainbot/state.db as root)
              --root DIR            the state file under an offline image root

            With no state file it says so on stderr and exits 2 (with -o json stdout still gets
            {schemaVersion, stateFile, exists: false, message}); --watch waits for it instead.

            exit: 0 listed, 2 no state file or failure, 64 usage.
            """,
        valued: [
            "-o": "output", "--output": "output", "--state": "state", "--root": "root", "--config": "config",
            "--since": "since",
        ], switches: ["--watch": "watch", "-w": "watch"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let output: String
        do { output = try arguments.output() } catch {
            context.stderr.write("chainbot events: \(error.message)\n")
            return .usage
        }
        var since = Timestamp(millisecondsSinceEpoch: Int64.min)
        if let text = arguments.value("since") {
            guard let duration = DurationText.parse(text), duration <= .seconds(365 * 86_400) else {
                context.stderr.write(
                    "chainbot events: --since needs a duration up to 365d, such as 30m, 2h or 7d, not '\(text)'\n")
                return .usage
            }
            since = Timestamp.now().advanced(by: .zero - duration)
        }
        let path: String
        switch ConfigFileOptions.statePath(arguments, environment: context.environment) {
        case .success(let found): path = found
        case .failure(let error):
            context.stderr.write("chainbot events: \(error.message)\n")
            return .usage
        }
        if arguments.has("watch") {
            // Nothing recorded yet: wait for the first apply or agent to create the state file.
            while access(path, F_OK) != 0 { try? await Task.sleep(for: .milliseconds(500)) }
            // A file that appeared but whose creating transaction has not committed yet reads as schema
            // version 0: that writer is still creating it, so wait for the commit too.
            while Self.beingCreated(path) { try? await Task.sleep(for: .milliseconds(200)) }
        }
        if let missing = MissingStateFile.check(path, command: "events", json: output == "json", context) {
            return missing
        }
        do {
            let store = try SQLiteStateStore.openReadOnly(path: path)
            for warning in store.readWarnings { context.stderr.write("chainbot events: warning: \(warning)\n") }
            let events = try store.events(since: since)
            if arguments.has("watch") {
                return try await watch(store, after: events, json: output == "json", context)
            }
            if output == "json" {
                let document = JSONDocument.document([("events", .array(events.map(json)))])
                context.stdout.write(document.serialized(pretty: true) + "\n")
            } else {
                context.stdout.write(table(events))
            }
            return .success
        } catch {
            context.stderr.write("chainbot events: \(error)\n")
            return .failure
        }
    }

    /// True while `path` is a state file another process is creating (its schema not committed yet).
    static func beingCreated(_ path: String) -> Bool {
        (try? SQLiteStateStore.fileSchemaVersion(path: path)) == 0
    }

    /// Prints `shown`, then polls the state file every 500 ms for events that are new or counted again,
    /// until interrupted (Ctrl-C ends the process).
    static func watch(_ store: SQLiteStateStore, after shown: [StoredEvent], json: Bool, _ context: CommandContext)
        async throws -> ExitCode
    {
        var seen: [Int64: Int] = [:]
        // Sized for what is shown first; a longer name recorded later still gets a space before COUNT.
        let widths = Widths(fitting: shown)
        func emit(_ events: [StoredEvent]) {
            for stored in events where seen[stored.id] != stored.count {
                seen[stored.id] = stored.count
                if json {
                    // JSON Lines: each line a document of its own (docs/schemas/events-watch.schema.json).
                    context.stdout.write(JSONDocument.document(self.json(stored).object ?? []).serialized() + "\n")
                } else {
                    context.stdout.write(row(stored, widths))
                }
            }
        }
        if !json { context.stdout.write(header(widths)) }
        emit(shown)
        var since = shown.map(\.lastSeen).max() ?? Timestamp.now()
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(500))
            let recent = try store.events(since: since)
            emit(recent)
            since = recent.map(\.lastSeen).max() ?? since
        }
        return .success
    }

    /// The widths of the REASON and REGARDING columns: the longest value shown, at least the defaults,
    /// so a long resource name widens its column instead of pushing the rest of the row out of line.
    struct Widths: Equatable {
        var reason = 15
        var regarding = 25

        init(fitting events: [StoredEvent] = []) {
            for stored in events {
                reason = max(reason, stored.event.reason.rawValue.count)
                regarding = max(regarding, stored.event.regarding.count)
            }
        }
    }

    static func header(_ widths: Widths) -> String {
        [
            "LAST SEEN (UTC)".padded(to: 22), "TYPE".padded(to: 8), "REASON".padded(to: widths.reason),
            "REGARDING".padded(to: widths.regarding), "COUNT".padded(to: 6), "MESSAGE",
        ]
        .joined(separator: " ") + "\n"
    }

    static func row(_ stored: StoredEvent, _ widths: Widths) -> String {
        let event = stored.event
        let columns = [
            stored.lastSeen.iso8601.padded(to: 22), event.type.rawValue.padded(to: 8),
            event.reason.rawValue.padded(to: widths.reason),
            event.regarding.padded(to: widths.regarding), String(stored.count).padded(to: 6),
            event.message.split(separator: "\n").joined(separator: " | "),
        ]
        return columns.joined(separator: " ") + "\n"
    }

    static func table(_ events: [StoredEvent]) -> String {
        if events.isEmpty { return "no events\n" }
        let widths = Widths(fitting: events)
        return header(widths) + events.map { row($0, widths) }.joined()
    }

    /// One event as `events -o json` lists it (and `status -o json`, `get -o json`).
    static func json(_ stored: StoredEvent) -> JSONValue {
        .object(members(stored))
    }

    /// The members of `json(_:)`, for documents that add their own (the agent endpoint's events).
    static func members(_ stored: StoredEvent) -> [(String, JSONValue)] {
        let event = stored.event
        return [
            ("id", .int(Int(stored.id))), ("type", .string(event.type.rawValue)),
            ("reason", .string(event.reason.rawValue)),
        ]
            + JSONDocument.resource(kind: event.regardingKind, name: event.regardingName) + [
                ("message", .string(event.message)),
                ("count", .int(stored.count)), ("firstSeen", .string(stored.firstSeen.iso8601)),
                ("lastSeen", .string(stored.lastSeen.iso8601)),
                ("generation", event.generation.map(JSONValue.string) ?? .null),
            ]
    }
}
