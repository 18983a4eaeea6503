import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `kill -9` of the built `chainbot agent` at seeded points of its healing pass, against a real systemd as
/// PID 1 in one testbed (DESIGN §6, intent before action; issue 13). Each seed drifts the converged host by
/// hand (units stopped, unit files and environment files edited, a unit disabled), starts the agent on the
/// manifests and kills it mid-heal; the host and the state file must agree, and the next apply reports the
/// pass interrupted and converges. A failing trial names its seed; `CHAINBOT_KILL_SEED=N` reruns only it.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"),
    .serialized)
struct AgentPassKillTrialsInTestbedTests {
    /// What the trials found, for the printed distribution.
    struct Tally {
        var kills = KillTrialTally()
        var points: [String: Int] = [:]

        func line(seeds: [UInt64]) -> String {
            typealias M = KillTrialManifests
            let drawn = points.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return "testbed agent pass kill -9 trials (\(M.serviceCount) Services + \(M.fileCount) ConfigFiles, "
                + "seeds \(seeds.first ?? 0)…\(seeds.last ?? 0)): \(kills.trials); killed \(drawn); "
                + "\(kills.inFlight) left a change only the step in flight explains"
        }
    }

    @Test func agentPassesKilledAtRandomStepsOfTheirHealingLeaveTheHostAndTheStoreInAgreement() async throws {
        let (seeds, onlyOne) = KillTrialRun.seeds(from: 5000)
        let clock = ContinuousClock()
        let started = clock.now
        let work = TemporaryDirectory("chainbot-agent-kill-trials")
        let exchange = work.file("exchange")
        mkdir(exchange, 0o755)
        try await KillTrialRun.with(name: "agent-kill", exchange: exchange) { host in
            try await host.reset()
            try host.writeManifests(KillTrialManifests.full)
            let first = try await host.chainbot(["apply"])
            try #require(first.termination == .exited(0), "the first apply: \(first.errorOutput)")
            var tally = Tally()
            for seed in seeds {
                var random = SeededGenerator(seed: seed)
                try await drift(host, using: &random)
                let point = AgentKillPoint.random(using: &random)
                let audit = try await trial(seed: seed, point: point, host: host, log: work.file("\(seed).log"))
                tally.kills.add(audit)
                tally.points[point.kind, default: 0] += 1
                print("seed \(seed): agent killed \(point) → \(audit.moment.rawValue)\(audit.inFlightNote)")
            }
            print(tally.line(seeds: seeds))
            #expect(tally.kills.count == seeds.count)
            #expect(seeds.count >= (onlyOne ? 1 : 25))
        }
        print("testbed agent pass kill -9 trials: \(seeds.count) trials in \(clock.now - started)")
    }

    /// One kill: the agent started on the drifted host and killed at `point`, the host checked against the
    /// store, then the next apply, `history` and `diff`; every problem is one expectation failure naming the
    /// seed and the kill point.
    private func trial(seed: UInt64, point: AgentKillPoint, host: KillTrialHost, log: String) async throws
        -> KillTrialAudit
    {
        let before = try await host.snapshot()
        let baseline = try host.store()?.revisions(limit: 1).first?.id ?? 0
        let child = try KillTrialChild(
            leader: host.testbed.leader, argv: host.argv(["agent", "--listen", "off"]), outputFile: log)
        var condition = AgentKillCondition(point: point, statePath: host.statePath, baseline: baseline)
        let killed = try await child.killChainbot { condition.reached($0) }
        let output = child.output
        let after = try await host.snapshot()
        var audit = try KillTrialAudit(
            before: before, after: after, store: try host.storeAfterKill(), baseline: baseline)
        var problems = audit.problems
        if !killed { problems.append("the agent exited before it was killed") }

        let next = try await host.chainbot(["apply"])
        if next.termination != .exited(0) { problems.append("the next apply failed: \(next.errorOutput)") }
        problems += try KillTrialAudit.convergedProblems(store: try host.store(), interrupted: audit.interrupted)
        if let interrupted = audit.interrupted {
            if !next.errorOutput.contains("revision \(interrupted) was interrupted") {
                problems.append("the next apply does not say revision \(interrupted) was interrupted")
            }
            let history = try await host.testbed.exec(
                [KillTrialHost.binary, "history", "-o", "json", "--state", host.statePath])
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
            "seed \(seed) (agent killed \(point)): \(problems.joined(separator: "\n"))\nkilled agent:\n\(output)")
        return audit
    }

    /// Drift by hand on the converged host, which units and files by the seed: two units stopped, two unit
    /// files edited, one unit disabled, one or two environment files changed (their readers must restart).
    private func drift(_ host: KillTrialHost, using random: inout SeededGenerator) async throws {
        typealias M = KillTrialManifests
        let units = Array(0..<M.serviceCount).shuffled(using: &random)
        let files = Array(0..<M.fileCount).shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random))
        try await host.shell(
            "sed -i 's|/bin/sleep infinity|/bin/sleep 1000|' \(M.unitPath(units[2])) \(M.unitPath(units[3])) && "
                + files.map { "echo N=drift > \(M.filePath($0)) && " }.joined()
                + "systemctl stop \(M.unit(units[0])) \(M.unit(units[1])) && "
                + "systemctl disable --quiet \(M.unit(units[4]))")
    }
}
