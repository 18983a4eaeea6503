import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// The agent's passes, as the built binary runs them on real files: what its log says it changed, and
/// `kill -9` at seeded moments while it heals drift.
extension ApplyKillTests {
    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func theAgentsLogCountsWhatEachPassChanged() async throws {
        let work = TemporaryDirectory("chainbot-agent-log")
        let root = work.path
        let manifest = work.write("m.yaml", Self.manifest(prefix: root))
        let log = work.file("agent.log")
        let agent = try KillableChild(Self.binary, agentArguments(manifest, root: root), errorFile: log)
        #expect(try await waitForChanged(Self.fileCount, in: log), "\(Fixtures.readText(log) ?? "")")
        // Drift two files: the agent puts them back and says so.
        Fixtures.write(Self.filePath(root, 3), "drift\n")
        Fixtures.write(Self.filePath(root, 7), "drift\n")
        #expect(try await waitForChanged(Self.fileCount + 2, in: log), "\(Fixtures.readText(log) ?? "")")
        agent.killAndWait(SIGTERM)
        #expect(Fixtures.readText(Self.filePath(root, 3)) == Self.content(3))
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func agentPassesKilledAtRandomMomentsLeaveTheHostAndTheStoreInAgreement() async throws {
        let work = TemporaryDirectory("chainbot-agent-kill")
        let window = try await calibrateAgent(in: work.file("calibration"))
        let only = getenv("CHAINBOT_KILL_SEED").flatMap { UInt64(String(cString: $0)) }
        let seeds = only.map { [$0] } ?? (0..<UInt64(25)).map { 3000 + $0 }
        var tally: [Moment: Int] = [:]
        for seed in seeds {
            let root = work.file("trial-\(seed)")
            defer { TemporaryDirectory.remove(root) }
            mkdir(root, 0o755)
            let manifest = root + "/m.yaml"
            Fixtures.write(manifest, Self.manifest(prefix: root))
            let converge = try await chainbot(["apply", "-f", manifest, "--state", Self.statePath(root)])
            try #require(converge.termination == .exited(0), "seed \(seed): \(converge.errorOutput)")
            let baseline = try SQLiteStateStore.open(path: Self.statePath(root)).revisions(limit: 1).first?.id ?? 0
            for index in 0..<Self.fileCount { Fixtures.write(Self.filePath(root, index), "drift\n") }

            var random = SeededGenerator(seed: seed)
            let delay = window * Double.random(in: 0.1...1.1, using: &random)
            let agent = try KillableChild(Self.binary, agentArguments(manifest, root: root))
            try await Task.sleep(for: delay)
            agent.killAndWait()

            let (moment, interrupted) = try checkAfterKill(root: root, baseline: baseline, seed: seed)
            tally[moment, default: 0] += 1
            let next = try await chainbot(["apply", "-f", manifest, "--state", Self.statePath(root)])
            #expect(next.termination == .exited(0), "seed \(seed): the next apply failed: \(next.errorOutput)")
            try checkConverged(root: root, interrupted: interrupted, seed: seed)
            let history = try await chainbot(["history", "--state", Self.statePath(root), "-o", "json"])
            #expect(!history.output.contains("\"outcome\": null"), "seed \(seed): a revision is still running")
        }
        let counts = Moment.allCases.map { "\(tally[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        print(
            "agent pass kill -9 trials (\(Self.fileCount) drifted files, seeds \(seeds.first ?? 0)…\(seeds.last ?? 0), "
                + "delays up to 1.1 × \(window)): \(seeds.count) trials: \(counts)")
        #expect(seeds.count >= (only == nil ? 25 : 1))
    }

    private func agentArguments(_ manifest: String, root: String) -> [String] {
        ["agent", "-f", manifest, "--state", Self.statePath(root), "--listen", "off", "--resync", "1s"]
    }

    /// How long the agent takes from its start to healing every drifted file.
    private func calibrateAgent(in root: String) async throws -> Duration {
        mkdir(root, 0o755)
        defer { TemporaryDirectory.remove(root) }
        let manifest = root + "/m.yaml"
        Fixtures.write(manifest, Self.manifest(prefix: root))
        _ = try await chainbot(["apply", "-f", manifest, "--state", Self.statePath(root)])
        for index in 0..<Self.fileCount { Fixtures.write(Self.filePath(root, index), "drift\n") }
        let log = root + "/agent.log"
        let clock = ContinuousClock()
        let started = clock.now
        let agent = try KillableChild(Self.binary, agentArguments(manifest, root: root), errorFile: log)
        try #require(try await waitForChanged(Self.fileCount, in: log), "\(Fixtures.readText(log) ?? "")")
        let window = clock.now - started
        agent.killAndWait(SIGTERM)
        return window
    }

    /// Waits (up to 60 s) until the agent's `synced N: C changed` lines add up to `total` changes.
    private func waitForChanged(_ total: Int, in log: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let lines = (Fixtures.readText(log) ?? "").split(separator: "\n")
            let changed = lines.compactMap { line -> Int? in
                guard let range = line.firstRange(of: "synced ") else { return nil }
                let rest = line[range.upperBound...].drop { $0 != ":" }.dropFirst(2)
                return Int(rest.prefix { $0.isNumber })
            }
            if changed.reduce(0, +) >= total { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
