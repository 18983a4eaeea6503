import ChainbotCore
import ChainbotEngine
import ChainbotStore
import Glibc

/// `chainbot history`: the recorded applies, newest first.
enum HistoryCommand {
    static let command = Command(
        name: "history", summary: "list recorded applies (revisions), newest first",
        usage: "chainbot history [REV] [-o text|json] [--state FILE] [--root DIR]",
        help: """
            Lists the revisions recorded by `chainbot apply`: when, which generation, the outcome and the
            counts. With REV, shows that revision's steps and their outcomes. `chainbot rollback REV`
            re-applies the specs it recorded.

            A revision is recorded with its planned steps before the first one runs, and each step's outcome
            as it finishes. OUTCOME is `running` while an apply runs, and `interrupted` for a run that was
            killed or crashed (found by the next apply or agent pass): its steps without an outcome show as
            `pending`. Such a revision names the process that began it: a `running` one whose pid is still
            alive is a run in progress; one whose pid is gone was killed, and the next run marks it
            `interrupted` (JSON: `writerPid`, and `writerAlive` while it has no outcome).

            With no state file it says so on stderr and exits 2 (with -o json stdout still gets
            {schemaVersion, stateFile, exists: false, message}).

            exit: 0 listed, 2 no state file, failure, 64 usage or no such revision.
            """,
        valued: ["-o": "output", "--output": "output", "--state": "state", "--root": "root", "--config": "config"],
        run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let output: String
        do { output = try arguments.output() } catch {
            context.stderr.write("chainbot history: \(error.message)\n")
            return .usage
        }
        let path: String
        switch ConfigFileOptions.statePath(arguments, environment: context.environment) {
        case .success(let found): path = found
        case .failure(let error):
            context.stderr.write("chainbot history: \(error.message)\n")
            return .usage
        }
        if let missing = MissingStateFile.check(path, command: "history", json: output == "json", context) {
            return missing
        }
        do {
            let store = try SQLiteStateStore.openReadOnly(path: path)
            for warning in store.readWarnings { context.stderr.write("chainbot history: warning: \(warning)\n") }
            if let text = arguments.positional.first {
                guard let id = Int64(text), let detail = try store.revision(id) else {
                    context.stderr.write("chainbot history: no revision \(text) in \(path)\n")
                    return .usage
                }
                context.stdout.write(
                    output == "json" ? document(detail).serialized(pretty: true) + "\n" : describe(detail))
                return .success
            }
            let revisions = try store.revisions(limit: 50)
            if output == "json" {
                let document = JSONDocument.document([("revisions", .array(revisions.map(json)))])
                context.stdout.write(document.serialized(pretty: true) + "\n")
            } else {
                context.stdout.write(table(revisions))
            }
            return .success
        } catch {
            context.stderr.write("chainbot history: \(error)\n")
            return .failure
        }
    }

    static func table(_ revisions: [Revision]) -> String {
        if revisions.isEmpty { return "no revisions yet\n" }
        var out = "REV  STARTED (UTC)            OUTCOME     CHANGED  FAILED  PRUNED  GENERATION\n"
        for revision in revisions {
            let summary = revision.summaryJSON.flatMap { SpecCoding.decode(RevisionSummary.self, from: $0) }
            let columns = [
                String(revision.id).padded(to: 4), revision.startedAt.iso8601.padded(to: 24),
                (revision.outcome?.rawValue ?? "running").padded(to: 11), String(summary?.changed ?? 0).padded(to: 8),
                String(summary?.failed ?? 0).padded(to: 7), String(summary?.pruned ?? 0).padded(to: 7),
                revision.generation,
            ]
            let note = RevisionWriter.note(revision).map { "  (\($0))" } ?? ""
            out += columns.joined(separator: " ") + note + "\n"
        }
        return out
    }

    static func describe(_ detail: RevisionDetail) -> String {
        var out = table([detail.revision])
        for (index, step) in detail.steps.enumerated() {
            out += "  \(index + 1). \(step.reference): \(step.action) — \(step.outcome.rawValue)"
            if step.outcome == .pending, detail.revision.outcome == .interrupted {
                out += " (no outcome recorded: the run was interrupted)"
            }
            if let error = step.error { out += ": " + error.split(separator: "\n").joined(separator: " | ") }
            out += "\n"
        }
        return out
    }

    static func json(_ revision: Revision) -> JSONValue {
        let summary = revision.summaryJSON.flatMap { SpecCoding.decode(RevisionSummary.self, from: $0) }
        return .object(
            [
                ("revision", .int(Int(revision.id))), ("generation", .string(revision.generation)),
                ("gitCommit", revision.gitCommit.map(JSONValue.string) ?? .null),
                ("startedAt", .string(revision.startedAt.iso8601)),
                ("finishedAt", revision.finishedAt.map { .string($0.iso8601) } ?? .null),
                ("outcome", revision.outcome.map { .string($0.rawValue) } ?? .null),
                ("planDigest", revision.planDigest.map(JSONValue.string) ?? .null),
                ("changed", .int(summary?.changed ?? 0)), ("unchanged", .int(summary?.unchanged ?? 0)),
                ("failed", .int(summary?.failed ?? 0)), ("pruned", .int(summary?.pruned ?? 0)),
            ] + RevisionWriter.json(revision))
    }

    /// `history REV -o json` (docs/schemas/history-revision.schema.json): the revision and its steps.
    static func document(_ detail: RevisionDetail) -> JSONValue {
        let steps = detail.steps.map { step -> JSONValue in
            .object(
                JSONDocument.resource(kind: step.kind, name: step.name) + [
                    ("action", .string(step.action)), ("outcome", .string(step.outcome.rawValue)),
                    ("error", step.error.map(JSONValue.string) ?? .null),
                ])
        }
        return JSONDocument.document((json(detail.revision).object ?? []) + [("steps", .array(steps))])
    }
}
