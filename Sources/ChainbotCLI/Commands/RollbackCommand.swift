import ChainbotCore
import ChainbotEngine
import ChainbotStore
import Glibc

/// `chainbot rollback REV`: re-applies the desired set recorded with a revision.
enum RollbackCommand {
    static let command = Command(
        name: "rollback", summary: "re-apply the specs recorded for a revision",
        usage: "chainbot rollback REV [--prune] [--dry-run] [--no-pin] [-o text|json] [--root DIR] [--state FILE]",
        help: """
            Takes the resources recorded with revision REV (see `chainbot history`) as the desired state and
            applies them like `chainbot apply` does, recording a new revision. Resources added after REV
            stay unless --prune is given. The host is then pinned to REV: the agent keeps applying it, also
            while its git source moves on, until `chainbot unpin` (--no-pin: no pin). The manifests in git
            are not changed: commit a revert there, then unpin.
            """,
        valued: EngineOptions.valued,
        switches: ["--prune": "prune", "--dry-run": "dry-run", "--force": "force", "--no-pin": "no-pin"],
        run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        guard let text = arguments.positional.first, let id = Int64(text) else {
            context.stderr.write("chainbot rollback: which revision? usage: \(command.usage)\n")
            return .usage
        }
        var remaining = arguments
        remaining.dropPositional()
        let options: EngineOptions
        do { options = try EngineOptions(remaining, environment: context.environment) } catch {
            context.stderr.write("chainbot rollback: \(error.message)\n")
            return .usage
        }
        guard access(options.statePath, F_OK) == 0 else {
            context.stderr.write("chainbot rollback: no state file at \(options.statePath): nothing was ever applied\n")
            return .failure
        }
        let revision: Revision
        let resources: [Resource]
        do {
            (revision, resources) = try Pin.recorded(id, in: try SQLiteStateStore.open(path: options.statePath))
        } catch PinError.noRecordedSpecs {
            context.stderr.write("chainbot rollback: no revision \(id) with recorded specs in \(options.statePath)\n")
            return .usage
        } catch {
            context.stderr.write("chainbot rollback: \(error)\n")
            return .failure
        }
        context.stderr.write("rolling back to revision \(revision.id) (generation \(revision.generation))\n")
        var run = ApplyRun(options: options, context: context, dryRun: arguments.has("dry-run"))
        run.overridesPin = true
        // The rollback sticks: the agent keeps this revision until `chainbot unpin`, whatever git says.
        if !arguments.has("no-pin") { run.pinsAfterwards = (revision.id, "chainbot rollback \(revision.id)") }
        return await run.run(
            resources, generation: "rollback-\(revision.id)-\(revision.generation)",
            prune: arguments.has("prune"), force: arguments.has("force"))
    }
}
