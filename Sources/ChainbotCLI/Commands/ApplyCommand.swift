import ChainbotCore
import ChainbotDelivery
import ChainbotEngine
import ChainbotHTTP
import ChainbotManifest
import ChainbotOS
import ChainbotProviders
import ChainbotStore
import Glibc

/// `chainbot apply`: converges the host on the manifests and records the run.
enum ApplyCommand {
    static let command = Command(
        name: "apply", summary: "change the host to match the manifests and record the run",
        usage:
            "chainbot apply [-f PATH]... [--prune] [--dry-run] [--force] [-o text|json] [--kind KIND] [--root DIR] [--state FILE] [--alexos-url URL] [--config FILE]",
        help: """
            Plans like `chainbot diff`, prints the plan, then runs its steps in dependency order with progress
            on stderr. A failed step blocks only the steps that depend on it; independent resources still
            converge. Every run that changes something is recorded as a revision (`chainbot history`).
            Re-running after success changes nothing and says so.

            options:
              -f, --filename PATH   manifest file or directory (repeatable; default manifests/)
              --prune               remove resources chainbot created that left the manifests
              --force               allow --prune to remove everything when the manifest set is empty,
                                    a firewall that stops accepting a management port, and changes to
                                    suspended resources (chainbot suspend)
              --dry-run             print the plan only
              -o, --output FORMAT   text (default) or json
              --kind KIND           only resources of this kind
              --root DIR            prepare an offline image root: files under DIR, enablement as
                                    `systemctl --root=DIR enable`, no start or stop
              --state FILE          state file (default /var/lib/chainbot/state.db as root; under DIR with --root)
              --alexos-url URL      ALEX OS base URL (default $CHAINBOT_ALEXOS_URL): the agent registry, and
                                    where the run's events are delivered from the outbox
            \(EngineOptions.hostAndConfigurationHelp)

            exit: 0 converged, 2 any failure, 64 usage, 65 invalid manifests (nothing applied).
            """,
        valued: EngineOptions.valued,
        switches: ["--prune": "prune", "--dry-run": "dry-run", "--force": "force"], run: run)

    static func run(_ arguments: Arguments, _ context: CommandContext) async -> ExitCode {
        let options: EngineOptions
        let set: ManifestSet
        switch EngineOptions.load(arguments, context, command: "apply") {
        case .success(let loaded): (options, set) = loaded
        case .failure(let code): return code
        }
        let generation = await ManifestGeneration.compute(
            paths: options.paths, files: set.files, runner: SpawnCommandRunner())
        return await ApplyRun(options: options, context: context, dryRun: arguments.has("dry-run")).run(
            options.selected(set.resources), whole: set.resources, generation: generation,
            prune: arguments.has("prune"), force: arguments.has("force"))
    }
}

/// One apply of a desired set, shared by `apply` and `rollback`: lock, plan, print, run, summarize.
struct ApplyRun {
    let options: EngineOptions
    let context: CommandContext
    let dryRun: Bool
    /// True for `rollback`, which replaces the pin; `apply` of the manifests stops at one without --force.
    var overridesPin = false
    /// `rollback`'s pin, set while the lock is still held, so that no agent pass can slip in between
    /// the rollback's run and its pin and apply the manifests over it.
    var pinsAfterwards: (revision: Int64, reason: String)?

    func run(_ desired: [Resource], whole: [Resource]? = nil, generation: String, prune: Bool, force: Bool) async
        -> ExitCode
    {
        // A dry run only reads, like diff: no lock, and no state file created.
        let lock = dryRun ? nil : options.lock(context)
        guard dryRun || lock != nil, let store = dryRun ? options.existingStore(context) : options.openStore(context)
        else { return .failure }
        defer { withExtendedLifetime(lock) {} }
        if !overridesPin, !force, refusedByPin(store) { return .failure }
        let reconciler = options.reconciler(store)
        let prepared: PreparedRun
        do {
            // Suspended resources are held as they are for the agent; --force overrides the holds.
            let held = force ? [:] : Suspension.holds(try store.suspensions(at: Timestamp.now()))
            prepared = try await reconciler.prepare(
                desired, prune: prune, force: force, whole: whole, kinds: options.kinds, held: held)
        } catch {
            context.stderr.write("chainbot apply: \(error)\n")
            return .failure
        }
        let renderer = PlanRenderer(colored: context.colors(on: context.stdout), offline: options.root != nil)
        let json = options.output == "json"
        if !json { context.stdout.write(renderer.text(prepared)) }
        if dryRun {
            if json {
                context.stdout.write(renderer.json(prepared, generation: generation).serialized(pretty: true) + "\n")
            }
            return prepared.failures.isEmpty ? .success : .failure
        }
        guard mayRun(prepared) else { return .failure }
        let clock = ContinuousClock()
        let started = clock.now
        let total = prepared.plan.steps.count
        let progress = Progress(sink: context.stderr, total: total, colored: context.colors(on: context.stderr))
        let report: ApplyReport
        do {
            let commit = gitCommit(of: generation)
            report = try await reconciler.apply(prepared, generation: generation, gitCommit: commit) { step, outcome in
                progress.show(step, outcome)
            }
        } catch {
            context.stderr.write("chainbot apply: recording the run failed: \(error)\n")
            return .failure
        }
        let elapsed = clock.now - started
        for interruption in report.interruptions {
            context.stderr.write("chainbot apply: note: \(interruption.message)\n")
        }
        record(prepared, report, generation: generation, in: store)
        guard pinIfAsked(store) else { return .failure }
        await deliverEvents(store)
        if json {
            context.stdout.write(
                ApplyJSON.render(report, generation: generation, renderer: renderer).serialized(pretty: true) + "\n")
        } else {
            context.stdout.write(Self.summary(report, elapsed: elapsed) + "\n")
        }
        return report.converged ? .success : .failure
    }

    /// Sets `pinsAfterwards` (still under the run's lock); false (said on stderr) when that failed.
    private func pinIfAsked(_ store: SQLiteStateStore) -> Bool {
        guard let pin = pinsAfterwards else { return true }
        do { try Pin.set(pin.revision, reason: pin.reason, at: Timestamp.now(), in: store) } catch {
            context.stderr.write("chainbot rollback: cannot pin revision \(pin.revision): \(error)\n")
            return false
        }
        context.stderr.write("pinned to revision \(pin.revision): the agent keeps it until chainbot unpin\n")
        return true
    }

    /// The git commit the run applies; none for a rollback, which applies a recorded revision, not a commit.
    private func gitCommit(of generation: String) -> String? {
        overridesPin ? nil : DesiredAssembly.gitCommit(of: generation)
    }

    /// True (and says why on stderr) when a pin holds the host at a revision: `apply` stops there.
    private func refusedByPin(_ store: SQLiteStateStore) -> Bool {
        do {
            guard let pin = try Pin.current(in: store) else { return false }
            context.stderr.write(
                "chainbot apply: the host is \(pin.description); the agent keeps that revision. "
                    + "chainbot unpin to follow the manifests again, or --force to apply them once; "
                    + "nothing was changed\n")
        } catch {
            context.stderr.write("chainbot apply: \(error)\n")
        }
        return true
    }

    /// Steps that only root may run would fail one by one; false (said once, before anything changes) when
    /// the plan has one and this is not root.
    private func mayRun(_ prepared: PreparedRun) -> Bool {
        guard options.root == nil, geteuid() != 0,
            let step = prepared.plan.steps.first(where: { !Self.userMayRun($0.action) })
        else { return true }
        context.stderr.write(
            "chainbot apply: '\(step.action)' (and more) needs root: run it as root, e.g. sudo chainbot apply; "
                + "nothing was changed (`chainbot diff` works without root)\n")
        return false
    }

    /// Status for `chainbot status` and `get`, as the agent records it, health changes as events, and the
    /// health report for ALEX OS.
    private func record(_ prepared: PreparedRun, _ report: ApplyReport, generation: String, in store: SQLiteStateStore)
    {
        let built = StatusBuilder(
            generation: generation, now: Timestamp.now(), previous: (try? store.allStatus()) ?? []
        ).build(prepared, report: report)
        built.save(to: store, outboxPayload: options.outboxPayload)
        var health = HealthReport(
            statuses: (try? store.allStatus()) ?? [], manifestProblem: nil, agentVersion: ChainbotCLI.version,
            severities: StatusBuilder.severities(prepared.desired))
        health.host = options.host
        health.generation = generation
        // One run, not the agent's periodic report: an unchanged summary is not queued again (issue 15).
        health.record(in: store, toAlexOS: options.alexOS != nil, periodic: false)
    }

    /// Sends the outbox to ALEX OS after the run, when one is configured; says on stderr what waits.
    func deliverEvents(_ store: SQLiteStateStore) async {
        guard let endpoints = options.alexOS else { return }
        do {
            let report = try await OutboxDelivery(store: store, transport: HTTPClient(), endpoints: endpoints)
                .deliverPending()
            guard report.delivered + report.failed + report.pending > 0 else { return }
            var line = "events: \(report.delivered) delivered to ALEX OS"
            if report.pending > 0 {
                line += ", \(report.pending) waiting in the outbox"
                if let error = report.lastError { line += " (\(error))" }
            }
            context.stderr.write(line + "\n")
        } catch {
            context.stderr.write("chainbot apply: delivering events failed: \(error)\n")
        }
    }

    /// Writing and removing files may work for a user (their own paths); the rest is for root.
    static func userMayRun(_ action: StepAction) -> Bool {
        switch action {
        case .writeFile, .removeFile, .registerAgent, .deregisterAgent: true
        default: false
        }
    }

    static func summary(_ report: ApplyReport, elapsed: Duration) -> String {
        let held = report.prepared.plan.resources.count { $0.held != nil }
        let heldNote = held == 0 ? "" : " \(held) held (chainbot resume, or --force)."
        if report.records.isEmpty && report.changed.isEmpty && report.pruned.isEmpty && report.failed.isEmpty {
            return "nothing to do: \(report.unchanged.count - held) resources match the manifests." + heldNote
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rounded = (seconds * 10).rounded() / 10
        var line =
            "applied in \(rounded) s: \(report.changed.count) changed, \(report.unchanged.count) unchanged, "
            + "\(report.failed.count) failed, \(report.pruned.count) pruned"
        if let revision = report.revision { line += " (revision \(revision.id))" }
        return line + "." + heldNote
    }
}
