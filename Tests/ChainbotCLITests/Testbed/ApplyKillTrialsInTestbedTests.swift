import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `kill -9` of the built `chainbot apply` at seeded random steps, against a real systemd as PID 1 in one
/// testbed (DESIGN §6, intent before action; issue 13): applies that write unit files and environment files
/// and start, restart and enable units. After each kill the host and the state file agree, the next apply
/// reports the run interrupted and converges, and a prune removes everything chainbot created.
///
/// Each seed runs a pair: a fresh apply killed, its next apply, then drift by hand and a drifted apply killed,
/// its next apply, then the prune (which also proves neither kill lost ownership). A failing trial names its
/// seed; `CHAINBOT_KILL_SEED=N` reruns only that pair.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"),
    .serialized)
struct ApplyKillTrialsInTestbedTests {
    enum Kind: String { case fresh, drifted }

    /// What the trials of one kind found, for the printed distribution.
    struct Tally {
        var kills = KillTrialTally()
        var endedFirst = 0

        func line(_ kind: Kind, seeds: [UInt64]) -> String {
            typealias M = KillTrialManifests
            return "testbed apply kill -9 trials (\(kind.rawValue), \(M.serviceCount) Services + \(M.fileCount) "
                + "ConfigFiles, seeds \(seeds.first ?? 0)…\(seeds.last ?? 0)): \(kills.trials); "
                + "\(kills.inFlight) left a change only the step in flight explains; \(endedFirst) ended before the kill"
        }
    }

    @Test func appliesThatStartUnitsKilledAtRandomStepsLeaveTheHostAndTheStoreInAgreement() async throws {
        let (seeds, onlyOne) = KillTrialRun.seeds(from: 4000)
        let clock = ContinuousClock()
        let started = clock.now
        let work = TemporaryDirectory("chainbot-kill-trials")
        let exchange = work.file("exchange")
        mkdir(exchange, 0o755)
        try await KillTrialRun.with(name: "kill-trials", exchange: exchange) { host in
            var tallies: [Kind: Tally] = [.fresh: Tally(), .drifted: Tally()]
            for seed in seeds {
                var random = SeededGenerator(seed: seed)
                try await host.reset()
                try host.writeManifests(KillTrialManifests.full)
                var line = "seed \(seed):"
                for kind in [Kind.fresh, .drifted] {
                    if kind == .drifted { try await drift(host) }
                    let point = KillPoint.random(using: &random)
                    let log = work.file("\(seed)-\(kind.rawValue).log")
                    let (audit, killed) = try await trial(kind, seed: seed, point: point, host: host, log: log)
                    tallies[kind]?.kills.add(audit)
                    tallies[kind]?.endedFirst += killed ? 0 : 1
                    line += " \(kind.rawValue) killed \(point) → \(audit.moment.rawValue)\(audit.inFlightNote);"
                }
                let pruned = try await pruneProblems(host)
                #expect(pruned.isEmpty, "seed \(seed): the prune after both kills: \(pruned)")
                print(line)
            }
            for kind in [Kind.fresh, .drifted] { print(tallies[kind, default: Tally()].line(kind, seeds: seeds)) }
            #expect(tallies[.fresh]?.kills.count == seeds.count && tallies[.drifted]?.kills.count == seeds.count)
            #expect(seeds.count >= (onlyOne ? 1 : 25))
        }
        print("testbed apply kill -9 trials: \(seeds.count * 2) trials in \(clock.now - started)")
    }

    /// One kill: the apply killed at `point`, the host checked against the store, the next apply, `history`
    /// and `diff`; every problem is one expectation failure naming the seed, the kind and the kill point.
    private func trial(_ kind: Kind, seed: UInt64, point: KillPoint, host: KillTrialHost, log: String) async throws
        -> (KillTrialAudit, Bool)
    {
        let before = try await host.snapshot()
        let baseline = try host.store()?.revisions(limit: 1).first?.id ?? 0
        let child = try KillTrialChild(
            leader: host.testbed.leader,
            argv: host.argv(["apply"]), outputFile: log)
        let killed = try await child.killChainbot(at: point)
        let output = child.output
        let after = try await host.snapshot()
        var audit = try KillTrialAudit(
            before: before, after: after, store: try host.storeAfterKill(), baseline: baseline)
        var problems = audit.problems

        let next = try await host.chainbot(["apply"])
        if next.termination != .exited(0) { problems.append("the next apply failed: \(next.errorOutput)") }
        problems += try KillTrialAudit.convergedProblems(store: try host.store(), interrupted: audit.interrupted)
        if let interrupted = audit.interrupted {
            let history = try await testbed(host, ["history", "-o", "json"])
            let entry = history.output.split(separator: "}").first { $0.contains("\"revision\": \(interrupted),") }
            if entry?.contains("\"outcome\": \"interrupted\"") != true {
                problems.append("history does not show revision \(interrupted) interrupted: \(history.output)")
            }
        }
        let converged = try await host.snapshot()
        if !converged.temporaries.isEmpty { problems.append("temporaries left: \(converged.temporaries)") }
        let diff = try await host.chainbot(["diff"])
        if diff.termination != .exited(0) { problems.append("diff after the next apply: \(diff.output)") }
        audit.problems = problems
        #expect(
            problems.isEmpty,
            "seed \(seed) (\(kind.rawValue), killed \(point)): \(problems.joined(separator: "\n"))\nkilled apply:\n\(output)"
        )
        return (audit, killed)
    }

    /// Drift by hand on the converged host: two units stopped, two unit files edited, one unit disabled, two
    /// environment files changed (their readers must restart).
    private func drift(_ host: KillTrialHost) async throws {
        typealias M = KillTrialManifests
        try await host.shell(
            "sed -i 's|/bin/sleep infinity|/bin/sleep 1000|' \(M.unitPath(2)) \(M.unitPath(3)) && "
                + "echo N=drift > \(M.filePath(0)) && echo N=drift > \(M.filePath(1)) && "
                + "systemctl stop \(M.unit(0)) \(M.unit(1)) && systemctl disable --quiet \(M.unit(5))")
    }

    /// `apply --prune` with only the sentinel left in the manifests: no unit, link or file of the set stays.
    private func pruneProblems(_ host: KillTrialHost) async throws -> [String] {
        try host.writeManifests(KillTrialManifests.sentinel)
        let prune = try await host.chainbot(["apply", "--prune"])
        var problems: [String] = []
        if prune.termination != .exited(0) { problems.append("apply --prune failed: \(prune.errorOutput)") }
        var left = try await host.snapshot()
        left.sentinel = nil
        if !left.isEmpty { problems.append("left on the host: \(left)\n\(prune.output)") }
        return problems
    }

    private func testbed(_ host: KillTrialHost, _ arguments: [String]) async throws -> CommandResult {
        try await host.testbed.exec([KillTrialHost.binary] + arguments + ["--state", host.statePath])
    }
}
