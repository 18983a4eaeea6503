import ChainbotCore
import ChainbotStore
import Glibc

/// `chainbot events`: the recorded events, least recently seen first.
enum EventsCommand {
    static let command = Command(
        name: "events", summary: "list recorded events (drift, applied, failed, pruned)",
        usage: "chainbot events [--since DURATION] [-o text|json] [--state FILE] [--root DIR]",
        help: """
            Lists the events `chainbot apply` recorded, Kubernetes style: type (Normal or Warning), reason,
            the resource they regard, the message, how many times they occurred and when first and last.
            Repeated events are one line with a count. Events also go to ALEX OS through the outbox when
            an ALEX OS URL is configured (see docs/alexos.md).

            options:
              --since DURATION      only events last seen within DURATION (e.g. 30m, 2h, 7d)
              -o, --output FORMAT   text (default) or json
              --state FILE          state file (default /var/lib/chainbot/state.db as root)
              --root DIR            the state file under an offline image root
            """,
        valued: [
            "-o": "output", "--output": "output", "--state": "state", "--root": "root", "--since": "since",
        ], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let output: String
        do { output = try arguments.output() } catch {
            context.stderr.write("chainbot events: \(error.message)\n")
            return .usage
        }
        var since = Timestamp(millisecondsSinceEpoch: Int64.min)
        if let text = arguments.value("since") {
            guard let duration = DurationText.parse(text) else {
                context.stderr.write("chainbot events: --since needs a duration such as 30m, 2h or 7d, not '\(text)'\n")
                return .usage
            }
            since = Timestamp.now().advanced(by: .zero - duration)
        }
        let path =
            arguments.value("state")
            ?? EngineOptions.defaultStatePath(root: arguments.value("root"), environment: context.environment)
        guard access(path, F_OK) == 0 else {
            context.stdout.write(output == "json" ? "[]\n" : "no events: nothing has been recorded in \(path)\n")
            return .success
        }
        do {
            let events = try SQLiteStateStore.open(path: path).events(since: since)
            if output == "json" {
                context.stdout.write(JSONValue.array(events.map(json)).serialized(pretty: true) + "\n")
            } else {
                context.stdout.write(table(events))
            }
            return .success
        } catch {
            context.stderr.write("chainbot events: \(error)\n")
            return .failure
        }
    }

    static func table(_ events: [StoredEvent]) -> String {
        if events.isEmpty { return "no events\n" }
        var out = "LAST SEEN (UTC)        TYPE     REASON          REGARDING                 COUNT  MESSAGE\n"
        for stored in events {
            let event = stored.event
            let columns = [
                pad(TimeText.iso(stored.lastSeen), 22), pad(event.type.rawValue, 8), pad(event.reason, 15),
                pad(event.regarding, 25), pad(String(stored.count), 6),
                event.message.split(separator: "\n").joined(separator: " | "),
            ]
            out += columns.joined(separator: " ") + "\n"
        }
        return out
    }

    static func json(_ stored: StoredEvent) -> JSONValue {
        let event = stored.event
        return .object([
            ("type", .string(event.type.rawValue)), ("reason", .string(event.reason)),
            ("regarding", .string(event.regarding)), ("message", .string(event.message)),
            ("count", .int(stored.count)), ("firstSeen", .string(TimeText.iso(stored.firstSeen))),
            ("lastSeen", .string(TimeText.iso(stored.lastSeen))),
            ("generation", event.generation.map(JSONValue.string) ?? .null),
        ])
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
