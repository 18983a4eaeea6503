import ChainbotCore
import ChainbotOS
import ChainbotStore
import Glibc

/// `chainbot status`: the agent and every resource's sync and health, from the state file.
enum StatusCommand {
    static let command = Command(
        name: "status", summary: "the agent's state and every resource's sync and health",
        usage: "chainbot status [-o text|json] [--state FILE] [--root DIR] [--host NAME] [--label KEY=VALUE]...",
        help: """
            Reads the state file (works while the agent runs, from any shell): whether the agent runs and
            when it last synced, whether the manifests are valid, and per resource its sync (Synced,
            OutOfSync, Unknown), health (Healthy, Progressing, Degraded, Missing, Unknown) and why. The
            `host:` line is who this host is in a fleet: its name and labels (--host, --label, the
            configuration's host and labels, else the kernel's host name).

            -o json prints {schemaVersion, agent, host, counts, resources, events}: what the agent's
            /api/v1/status has, and this host (docs/json-output.md, docs/schemas/status.schema.json).

            With no state file (nothing applied here yet) it says so on stderr and exits 2; with -o json
            stdout still gets {schemaVersion, stateFile, exists: false, message}.

            exit: 0 everything Synced and Healthy, 1 something is not, 2 no state file or failure.
            """,
        valued: [
            "-o": "output", "--output": "output", "--state": "state", "--config": "config", "--host": "host",
            "--label": "label", "--root": "root",
        ], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let options = EngineOptions.parse(arguments, context, command: "status") else { return .usage }
        if let missing = MissingStateFile.check(
            options.statePath, command: "status", json: options.output == "json", context)
        {
            return missing
        }
        guard let store = options.existingStore(context) else { return .failure }
        let report: StatusReport
        do { report = try StatusReport(store: store, statePath: options.statePath) } catch {
            context.stderr.write("chainbot status: \(error)\n")
            return .failure
        }
        let allGood = report.statuses.allSatisfy { $0.sync == .synced && $0.health == .healthy }
        // The last hour's last 20 events, as the agent's /api/v1/status has them: the JSON shows them, and
        // the agent's conditions (both outputs) are read from them.
        let events: [StoredEvent]
        do { events = try store.events(since: Timestamp.now().advanced(by: .seconds(-3600))).suffix(20) } catch {
            context.stderr.write("chainbot status: \(error)\n")
            return .failure
        }
        let status = document(report, host: options.host, events: events)
        if options.output == "json" {
            let json = AgentEndpoint.withConditions(status, store: store)
            context.stdout.write(json.serialized(pretty: true) + "\n")
            return allGood ? .success : .differences
        }
        var text = report.agentLine + "\n" + "host: \(options.host.description)\n"
        if let problem = report.manifestProblem {
            text += "manifests: INVALID, the last good ones stay in force:\n" + problem
            if !problem.hasSuffix("\n") { text += "\n" }
        }
        if let problem = report.gitProblem {
            text += "git: NOT FOLLOWING, the last good commit stays in force: \(problem)\n"
        }
        // The agent's other conditions (ALEX OS unreachable, a backlog, a pin, suspensions), as on its page.
        let shown: Set<StatusPageConditions.Condition.Kind> = [.manifestsInvalid, .gitNotFollowed]
        for condition in StatusPageConditions.conditions(status, .init(store: store))
        where !shown.contains(condition.kind) {
            text += "\(condition.title): \(condition.message)\n"
            if let detail = condition.detail { text += "  \(detail)\n" }
        }
        let suspended = Set(report.suspensions.map(\.reference))
        let width = max(20, (report.statuses.map(\.reference.count).max() ?? 0) + 2)
        text += "RESOURCE".padding(width) + "SYNC".padding(11) + "HEALTH".padding(13) + "WHY\n"
        for status in report.statuses {
            let synced = status.conditions.first { $0.type == .synced }
            let healthy = status.conditions.first { $0.type == .healthy }
            var why = status.sync == .synced ? (healthy?.status == false ? healthy?.message : nil) : synced?.message
            if suspended.contains(status.reference) { why = "suspended" + (why.map { "; \($0)" } ?? "") }
            text +=
                status.reference.padding(width) + status.sync.rawValue.padding(11) + status.health.rawValue.padding(13)
                + (why ?? "") + "\n"
        }
        let outOfSync = report.statuses.filter { $0.sync != .synced }.count
        let unhealthy = report.statuses.filter { $0.health != .healthy }.count
        text += "\(report.statuses.count) resources: \(outOfSync) not synced, \(unhealthy) not healthy.\n"
        context.stdout.write(text)
        return allGood ? .success : .differences
    }
}

extension StatusCommand {
    /// `status -o json` (docs/schemas/status.schema.json) before its `conditions`: what the agent's
    /// `/api/v1/status` has (the agent, counts, resources and the last hour's last 20 events), and who this
    /// host is.
    static func document(_ report: StatusReport, host: HostIdentity, events: [StoredEvent]) -> JSONValue {
        JSONDocument.document([
            ("agent", report.agentJSON), ("host", hostJSON(host)),
            ("counts", AgentEndpoint.countsJSON(report.statuses)),
            ("resources", .array(report.statuses.map(report.json))), ("events", .array(events.map(EventsCommand.json))),
        ])
    }

    /// `{name, labels}`: who this host is in the fleet (what `metadata.hostSelector` is matched against).
    static func hostJSON(_ host: HostIdentity) -> JSONValue {
        .object([
            ("name", .string(host.name)),
            ("labels", .object(host.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ])
    }
}

/// `chainbot get KIND/NAME`: one resource's status, conditions and recent events.
enum GetCommand {
    static let command = Command(
        name: "get", summary: "one resource's status, conditions and recent events",
        usage: "chainbot get KIND/NAME [-o text|json|yaml] [--state FILE] [--root DIR]",
        help: """
            Reads the state file: the resource's sync and health with each condition's reason, message and
            last transition, the generation it was last seen at, whether it is suspended, and its events.
            -o yaml is the same document as -o json, in YAML (strings quoted).

            With no state file it says so on stderr and exits 2; with -o json stdout still gets
            {schemaVersion, stateFile, exists: false, message}.

            exit: 0 found, 2 not found, no state file or failure.
            """,
        valued: [
            "-o": "output", "--output": "output", "--state": "state", "--config": "config", "--root": "root",
        ], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let options = EngineOptions.parse(arguments, context, command: "get", outputs: ["text", "json", "yaml"])
        else { return .usage }
        guard let id = ResourceReference.one(arguments, context, command: "get") else { return .usage }
        if let missing = MissingStateFile.check(
            options.statePath, command: "get", json: options.output == "json", context)
        {
            return missing
        }
        guard let store = options.existingStore(context) else { return .failure }
        do {
            let report = try StatusReport(store: store, statePath: options.statePath)
            guard let status = report.statuses.first(where: { $0.reference == id.description }) else {
                let names = report.statuses.map(\.reference)
                let hint = Suggestion.closest(to: id.description, in: names).map { " Did you mean \($0)?" } ?? ""
                context.stderr.write("chainbot get: no status for \(id) in \(options.statePath).\(hint)\n")
                return .failure
            }
            let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0)).filter {
                $0.event.regardingKind == id.kind.rawValue && $0.event.regardingName == id.name
            }.suffix(10)
            if options.output == "text" {
                context.stdout.write(text(status, events: Array(events), report: report))
                return .success
            }
            guard let document = document(status, events: Array(events), report: report),
                let rendered = options.output == "yaml"
                    ? document.yamlText : document.serialized(pretty: true) + "\n"
            else { return .failure }
            context.stdout.write(rendered)
            return .success
        } catch {
            context.stderr.write("chainbot get: \(error)\n")
            return .failure
        }
    }
    /// `get -o json` (and `-o yaml`; docs/schemas/get.schema.json): the status as `status -o json` has it,
    /// with its last events.
    static func document(_ status: ResourceStatus, events: [StoredEvent], report: StatusReport) -> JSONValue? {
        guard case .object(let members) = report.json(status) else { return nil }
        return JSONDocument.document(members + [("events", .array(events.map(EventsCommand.json)))])
    }

    /// `get`'s text: sync, health, a suspension, the conditions and the last events.
    static func text(_ status: ResourceStatus, events: [StoredEvent], report: StatusReport) -> String {
        var text = "\(status.reference)\n  sync: \(status.sync.rawValue)\n  health: \(status.health.rawValue)\n"
        if let suspension = report.suspensions.first(where: { $0.reference == status.reference }) {
            text += "  suspended until \(suspension.until.iso8601)"
            text += suspension.reason.isEmpty ? "\n" : " (\(suspension.reason))\n"
        }
        text += "  observed generation: \(status.observedGeneration ?? "-")\n  conditions:\n"
        for condition in status.conditions {
            text +=
                "    \(condition.type)=\(condition.status ? "True" : "False") \(condition.reason): \(condition.message) (since \(condition.lastTransitionTime.iso8601))\n"
        }
        text += "  events:\n"
        for stored in events {
            text +=
                "    \(stored.lastSeen.iso8601) \(stored.event.type.rawValue) \(stored.event.reason)"
                + (stored.count > 1 ? " (x\(stored.count))" : "") + ": \(stored.event.message)\n"
        }
        if events.isEmpty { text += "    (none)\n" }
        return text
    }
}

/// Parses `Kind/name` (kind case-insensitive).
enum ResourceReference {
    /// The one `KIND/NAME` argument of `get`, `suspend` and `resume`; says what is wanted when missing.
    static func one(_ arguments: Arguments, _ context: CommandContext, command: String) -> ResourceID? {
        guard arguments.positional.count == 1, let id = parse(arguments.positional[0]) else {
            context.stderr.write("chainbot \(command): name one resource as KIND/NAME, e.g. Service/chainbot\n")
            return nil
        }
        return id
    }

    static func parse(_ text: String) -> ResourceID? {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty,
            let kind = Kind.allCases.first(where: { $0.rawValue.lowercased() == parts[0].lowercased() })
        else { return nil }
        return ResourceID(kind, parts[1])
    }
}

extension String {
    /// Padded to `width` and followed by at least one space, so a long cell never runs into the next.
    fileprivate func padding(_ width: Int) -> String {
        padded(to: width - 1) + " "
    }
}
