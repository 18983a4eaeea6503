import ChainbotCore
import ChainbotEngine
import ChainbotManifest
import ChainbotOS
import ChainbotStore

/// The runner as the controller's `ManifestSource` and `SyncHandler`: the manifests, the pin, one pass.
extension AgentRunner {
    // MARK: Manifests

    /// The engine's assembly of what is in force: the manifests, or the pin.
    var assembly: DesiredAssembly {
        DesiredAssembly(
            manifests: resources, generation: generation, gitCommit: gitCommit, problem: manifestProblem, pin: pin)
    }

    /// What the agent applies: the pinned revision's resources, else the manifests'.
    var desiredResources: [Resource] { assembly.resources }

    func desired() async -> DesiredState {
        await refreshPin()
        return assembly.state(applied: (try? store.allApplied()) ?? [])
    }

    func reload(initial: Bool) async {
        // Validated as this host's selected set, as diff and apply see it.
        let set = ManifestLoader(host: configuration.options.host).load(configuration.options.paths)
        guard set.isValid, !set.hasIOErrors else {
            let renderer = DiagnosticRenderer(files: set.files, colored: false)
            let text = renderer.render(set.diagnostics)
            manifestProblem =
                "the manifests are invalid (\(set.diagnostics.count) problem\(set.diagnostics.count == 1 ? "" : "s")); "
                + (resources.isEmpty ? "nothing is applied" : "the last good manifests stay in force")
            context.stderr.write(text)
            log(manifestProblem ?? "")
            recordEvent(
                Event(
                    type: .warning, reason: .manifestInvalid, regardingKind: "Manifests",
                    regardingName: configuration.options.paths.joined(separator: ","),
                    message: String(text.prefix(2000)), generation: generation))
            try? store.setMeta(.agentManifestProblem, text)
            notifier.notify("STATUS=\(statusText)")
            return
        }
        let newGeneration = await ManifestGeneration.compute(
            paths: configuration.options.paths, files: set.files, runner: concretes.commands)
        let changed = !initial && newGeneration != generation
        resources = configuration.options.selected(set.resources)
        generation = newGeneration
        gitCommit = DesiredAssembly.gitCommit(of: newGeneration)
        manifestProblem = nil
        try? store.setMeta(.agentManifestProblem, nil)
        try? store.setMeta(.agentGeneration, generation)
        updateHostWatch()
        if initial || changed {
            if changed { log("manifests changed: generation \(generation)") }
            await controller?.add(allIDs())
        }
    }

    /// Every resource to sync: the desired ones and the ones chainbot applied before.
    func allIDs() -> [ResourceID] {
        assembly.state(applied: (try? store.allApplied()) ?? []).keys
    }

    /// Reads the pin from the store; a new or ended pin queues everything (the desired set changed).
    func refreshPin() async {
        let current: Pin?
        do { current = try Pin.current(in: store) } catch {
            log("cannot read the pin: \(error); keeping \(pin.map { "revision \($0.revision)" } ?? "the manifests")")
            return
        }
        guard current?.revision != pin?.revision else { return }
        let before = allIDs()
        pin = current
        updateHostWatch()
        log(
            current.map { "\($0.description): applying it instead of the manifests" }
                ?? "unpinned: following the manifests")
        await controller?.add(Array(Set(before + allIDs())).sorted())
    }

    // MARK: One pass

    func sync(_ batch: Set<ResourceID>) async -> SyncResult {
        let clock = concretes.clock
        let started = clock.now
        metrics.passStarted(started)
        defer { metrics.passStarted(nil) }
        // Wait for a `chainbot apply` in progress; never two writers.
        let lock: StateLock
        do {
            lock = try await StateLock.acquire(for: configuration.options.statePath, timeout: .seconds(300)) {
                holder in
                self.log("waiting for another chainbot\(holder.map { " (pid \($0))" } ?? "") to finish")
            }
        } catch {
            log("cannot lock \(configuration.options.statePath): \(error); retrying later")
            return SyncResult(
                outcomes: Dictionary(uniqueKeysWithValues: batch.map { ($0, .requeueAfter(.seconds(5))) }))
        }
        defer { withExtendedLifetime(lock) {} }
        await refreshPin()
        hostWatch?.passStarted(batch)
        let report = await pass().run(batch, desired: assembly.pass)
        // Events for what the pass changed itself get one more look; the others are queued as usual.
        await hostWatch?.passFinished(
            changed: Set((report.applied?.changed ?? []) + (report.applied?.pruned ?? [])),
            failed: Set(report.applied?.failed ?? []))
        if let error = report.error { log(error) }
        if let applied = report.applied {
            metrics.record(applied)
            plans.record(applied)
        }
        let failed = report.outcomes.values.filter(\.failed).count
        let elapsed = clock.now - started
        metrics.passDuration(elapsed, failed: failed > 0)
        if report.changed > 0 || failed > 0 {
            // The controller reports health at once after such a pass; quiet ones wait for the interval.
            log("synced \(batch.count): \(report.changed) changed, \(failed) failed in \(DurationText.format(elapsed))")
        }
        for (id, outcome) in report.outcomes.sorted(by: { $0.key < $1.key }) {
            if case .terminal(let message, _) = outcome {
                log("\(id): \(message); a retry cannot help, so not retried until its spec or the manifests change")
            }
        }
        return report.result
    }

    /// The engine's pass over this store and fresh providers from the one factory; events go to the outbox
    /// when ALEX OS's webhook or its event bus is configured.
    private func pass() -> ReconcilePass {
        let reconciler = Reconciler(
            providers: concretes.providers(configuration.options), store: store, now: concretes.now,
            outboxPayload: configuration.outboxPayload)
        return ReconcilePass(
            store: store, reconciler: reconciler, now: concretes.now,
            prune: configuration.prune, resync: configuration.controller.resync,
            outboxPayload: configuration.outboxPayload)
    }
}
