import ChainbotCore
import ChainbotEngine
import ChainbotManifest
import ChainbotOS
import ChainbotStore
import Glibc

/// `chainbot diff`: what `apply` would change, resource by resource; changes nothing.
enum DiffCommand {
    static let command = Command(
        name: "diff", summary: "show what apply would change (exit 1 when anything differs)",
        usage:
            "chainbot diff [-f PATH]... [-o text|json|patch] [--kind KIND] [--root DIR] [--state FILE] [--alexos-url URL] [--config FILE]",
        help: """
            Loads the manifests, observes the host (one `systemctl show` for every unit, the files on disk)
            and prints, for each resource that differs, what would change: a unified diff of unit and config
            files, state changes such as `stopped → running`, and the steps apply would run. Resources that
            left the manifests are listed; `apply --prune` removes them. Secrets show only as sha256 digests.

            options:
              -f, --filename PATH   manifest file or directory (repeatable; default manifests/)
              -o, --output FORMAT   text (default), json, or patch: one unified diff with a/ and b/
                                    headers per KIND/NAME/FACET, for patch, delta or a review tool
              --kind KIND           only resources of this kind
              --root DIR            compare against an offline image root instead of the live host
              --state FILE          state file (default /var/lib/chainbot/state.db as root)
              --alexos-url URL      ALEX OS base URL for the agent registry (default $CHAINBOT_ALEXOS_URL)
            \(EngineOptions.hostAndConfigurationHelp)

            environment: CHAINBOT_EXTERNAL_DIFF=PROGRAM (as KUBECTL_EXTERNAL_DIFF; e.g. "diff -u -N" or
            meld): runs PROGRAM OBSERVED_DIR DESIRED_DIR on the same tree instead of printing the text diff.

            exit: 0 no differences, 1 differences, 2 failure (a provider or the store), 65 invalid manifests.
            """,
        valued: EngineOptions.valued, run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let options: EngineOptions
        let set: ManifestSet
        switch EngineOptions.load(arguments, context, command: "diff", outputs: ["text", "json", "patch"]) {
        case .success(let loaded): (options, set) = loaded
        case .failure(let code): return code
        }
        // diff never creates a state file: without one, nothing has been applied yet.
        guard let store = options.existingStore(context) else { return .failure }
        let prepared: PreparedRun
        do {
            prepared = try await options.reconciler(store).prepare(
                options.selected(set.resources), prune: false, force: false, whole: set.resources,
                kinds: options.kinds, held: Suspension.holds(try store.suspensions(at: Timestamp.now())))
        } catch {
            context.stderr.write("chainbot diff: \(error)\n")
            return .failure
        }
        let generation = await ManifestGeneration.compute(
            paths: options.paths, files: set.files, runner: SpawnCommandRunner())
        let renderer = PlanRenderer(colored: context.colors(on: context.stdout), offline: options.root != nil)
        if options.output == "json" {
            context.stdout.write(renderer.json(prepared, generation: generation).serialized(pretty: true) + "\n")
        } else if options.output == "patch" {
            context.stdout.write(PatchRenderer.patch(prepared.plan))
            for failure in prepared.failures {
                context.stderr.write("chainbot diff: \(failure.id): \(failure.error)\n")
            }
        } else if let external = ExternalDiff(environment: context.environment) {
            guard await runExternal(external, prepared, renderer, context) else { return .failure }
        } else {
            context.stdout.write(renderer.text(prepared))
        }
        if !prepared.failures.isEmpty { return .failure }
        return prepared.plan.resources.allSatisfy { $0.action == .unchanged } ? .success : .differences
    }

    /// Shows the plan through `CHAINBOT_EXTERNAL_DIFF`; false (said on stderr) when the program could not
    /// run or failed (an exit status above 1, as diff(1) means trouble).
    private static func runExternal(
        _ external: ExternalDiff, _ prepared: PreparedRun, _ renderer: PlanRenderer, _ context: CommandContext
    ) async -> Bool {
        let files = PatchRenderer.files(prepared.plan)
        switch await external.run(files, runner: SpawnCommandRunner(), environment: context.environment) {
        case .failure(let error):
            context.stderr.write("chainbot diff: \(error)\n")
            return false
        case .success(let result):
            context.stdout.write(result.output)
            context.stderr.write(result.errorOutput)
            for failure in prepared.failures {
                context.stderr.write("chainbot diff: \(failure.id): \(failure.error)\n")
            }
            context.stdout.write(renderer.summary(prepared) + "\n")
            guard case .exited(let status) = result.termination, status <= 1 else {
                context.stderr.write(
                    "chainbot diff: \(ExternalDiff.variable)=\(external.argv.joined(separator: " ")) failed: \(result)\n"
                )
                return false
            }
            return true
        }
    }
}
