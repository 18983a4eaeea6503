import ChainbotCore
import ChainbotOS
import ChainbotStore
import ChainbotTestSupport
import Glibc
import Testing

/// `kill -9` of the built `chainbot apply` at seeded random moments (DESIGN §6, intent before action):
/// after each kill the host and the state file agree, `history` shows what happened, and the next apply
/// converges. A failing trial names its seed; `CHAINBOT_KILL_SEED=N` reruns only that seed.
@Suite(.serialized) struct ApplyKillTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    static let fileCount = 40
    let runner = SpawnCommandRunner()

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func freshAppliesKilledAtRandomMomentsLeaveTheHostAndTheStoreInAgreement() async throws {
        try await trials(drifted: false, count: 25, firstSeed: 1000)
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func driftedAppliesKilledAtRandomMomentsLeaveTheHostAndTheStoreInAgreement() async throws {
        try await trials(drifted: true, count: 25, firstSeed: 2000)
    }

    /// What a kill left, for the tally.
    enum Moment: String, CaseIterable {
        case beforeTheStore = "before the state file existed"
        case beforeTheRun = "before the run was recorded"
        case midRun = "mid-run (revision interrupted)"
        case afterTheRun = "after the revision finished"
    }

    private func trials(drifted: Bool, count: Int, firstSeed: UInt64) async throws {
        let work = TemporaryDirectory("chainbot-kill")
        let manifest = work.write("m.yaml", Self.manifest())
        let window = try await calibrate(manifest: manifest, drifted: drifted, in: work.file("calibration"))
        let only = getenv("CHAINBOT_KILL_SEED").flatMap { UInt64(String(cString: $0)) }
        let seeds = only.map { [$0] } ?? (0..<UInt64(count)).map { firstSeed + $0 }
        var tally: [Moment: Int] = [:]
        for seed in seeds {
            let root = work.file("trial-\(seed)")
            defer { TemporaryDirectory.remove(root) }
            mkdir(root, 0o755)
            var baseline: Int64 = 0
            if drifted {
                let converge = try await chainbot(["apply", "-f", manifest, "--root", root])
                try #require(converge.termination == .exited(0), "seed \(seed): \(converge.errorOutput)")
                baseline = try SQLiteStateStore.open(path: Self.statePath(root)).revisions(limit: 1).first?.id ?? 0
                for index in 0..<Self.fileCount { Fixtures.write(Self.filePath(root, index), "drift\n") }
            }
            var random = SeededGenerator(seed: seed)
            let delay = window * Double.random(in: 0.1...1.1, using: &random)
            let child = try KillableChild(Self.binary, ["apply", "-f", manifest, "--root", root])
            try await Task.sleep(for: delay)
            child.killAndWait()

            let (moment, interrupted) = try checkAfterKill(root: root, baseline: baseline, seed: seed)
            tally[moment, default: 0] += 1
            let next = try await chainbot(["apply", "-f", manifest, "--root", root])
            #expect(next.termination == .exited(0), "seed \(seed): the next apply failed: \(next.errorOutput)")
            try checkConverged(root: root, interrupted: interrupted, seed: seed)
            let history = try await chainbot(["history", "--root", root, "-o", "json"])
            #expect(history.termination == .exited(0), "seed \(seed): \(history.errorOutput)")
            #expect(!history.output.contains("\"outcome\": null"), "seed \(seed): a revision is still running")
            if let interrupted {
                // The apply that found the interrupted revision says so itself, not only history and events.
                #expect(
                    next.errorOutput.contains("note: revision \(interrupted) was interrupted"),
                    "seed \(seed): \(next.errorOutput)")
                #expect(
                    history.output.contains("\"revision\": \(interrupted),")
                        && history.output.contains("\"outcome\": \"interrupted\""), "seed \(seed): \(history.output)")
            }
        }
        let kind = drifted ? "drifted" : "fresh"
        let counts = Moment.allCases.map { "\(tally[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        print(
            "apply kill -9 trials (\(kind), \(Self.fileCount) files, seeds \(seeds.first ?? 0)…\(seeds.last ?? 0), "
                + "delays up to 1.1 × \(window)): \(seeds.count) trials: \(counts)")
        #expect(seeds.count >= (only == nil ? 25 : 1))
    }

    /// How long one whole apply takes on this machine now: the window the kills are spread over.
    private func calibrate(manifest: String, drifted: Bool, in root: String) async throws -> Duration {
        mkdir(root, 0o755)
        defer { TemporaryDirectory.remove(root) }
        if drifted {
            _ = try await chainbot(["apply", "-f", manifest, "--root", root])
            for index in 0..<Self.fileCount { Fixtures.write(Self.filePath(root, index), "drift\n") }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let result = try await chainbot(["apply", "-f", manifest, "--root", root])
        try #require(result.termination == .exited(0), "calibration apply failed: \(result.errorOutput)")
        return clock.now - started
    }

    /// Checks the host against the store right after a kill; returns when the kill came, and the revision
    /// it left unfinished (if any).
    func checkAfterKill(root: String, baseline: Int64, seed: UInt64) throws -> (Moment, Int64?) {
        let present = Fixtures.list(root + "/etc/kt")
        guard Fixtures.exists(Self.statePath(root)) else {
            #expect(present.isEmpty, "seed \(seed): files were written before the state file existed")
            return (.beforeTheStore, nil)
        }
        let store = try SQLiteStateStore.open(path: Self.statePath(root))
        let owned = Set(try store.allApplied().filter { $0.kind == "ConfigFile" && $0.createdByChainbot }.map(\.name))
        for file in present {
            let name = String(file.prefix { $0 != "." })
            #expect(owned.contains(name), "seed \(seed): \(file) exists but is not recorded as created by chainbot")
        }
        let revisions = try store.revisions(limit: 1000).filter { $0.id > baseline }
        var ran: Set<String> = []
        var inFlight: String?
        for revision in revisions {
            let steps = try store.revision(revision.id)?.steps ?? []
            ran.formUnion(steps.filter { $0.outcome == .succeeded }.map(\.name))
            if !revision.isFinished { inFlight = steps.first { $0.outcome == .pending }?.name }
        }
        // Every file this run rewrote has its step recorded, except the one it was writing when killed.
        for index in 0..<Self.fileCount where Fixtures.readText(Self.filePath(root, index)) == Self.content(index) {
            let name = Self.name(index)
            #expect(
                ran.contains(name) || name == inFlight,
                "seed \(seed): \(name) was written but its step is not recorded (in flight: \(inFlight ?? "none"))")
        }
        let unfinished = revisions.filter { !$0.isFinished }
        #expect(unfinished.count <= 1, "seed \(seed): \(unfinished.count) unfinished revisions")
        if let open = unfinished.first { return (.midRun, open.id) }
        return (revisions.isEmpty ? .beforeTheRun : .afterTheRun, nil)
    }

    /// After the next apply: every file as the manifests say and recorded as chainbot's, every revision
    /// finished, the interrupted one reported.
    func checkConverged(root: String, interrupted: Int64?, seed: UInt64) throws {
        let store = try SQLiteStateStore.open(path: Self.statePath(root))
        let owned = Set(try store.allApplied().filter(\.createdByChainbot).map(\.name))
        for index in 0..<Self.fileCount {
            #expect(Fixtures.readText(Self.filePath(root, index)) == Self.content(index), "seed \(seed): file \(index)")
            #expect(owned.contains(Self.name(index)), "seed \(seed): \(Self.name(index)) not recorded")
        }
        #expect(try store.revisions(limit: 1000).allSatisfy(\.isFinished), "seed \(seed)")
        // A temporary file the killed run left beside a file is removed when the next run writes that file.
        let temporaries = Fixtures.list(root + "/etc/kt", hidden: true).filter { $0.hasPrefix(".") }
        #expect(temporaries.isEmpty, "seed \(seed): temporary files survived the next run: \(temporaries)")
        guard let interrupted else { return }
        #expect(try store.revision(interrupted)?.revision.outcome == .interrupted, "seed \(seed)")
        let events = try store.events(since: Timestamp(millisecondsSinceEpoch: 0))
        #expect(
            events.contains {
                $0.event.reason == "ApplyInterrupted"
                    && $0.event.message.hasPrefix("revision \(interrupted) was interrupted")
            }, "seed \(seed): no ApplyInterrupted event")
    }

    func chainbot(_ arguments: [String]) async throws -> CommandResult {
        try await runner.run(CommandInvocation(Self.binary, arguments, timeout: .seconds(60)))
    }

    static func name(_ index: Int) -> String { "f" + (index < 10 ? "0" : "") + String(index) }
    static func content(_ index: Int) -> String { "v1 \(index)\n" }
    static func filePath(_ root: String, _ index: Int) -> String { "\(root)/etc/kt/\(name(index)).conf" }
    static func statePath(_ root: String) -> String { root + "/var/lib/chainbot/state.db" }

    /// 40 ConfigFiles at `/etc/kt/fNN.conf` under `prefix` (a root the agent writes to for real).
    static func manifest(prefix: String = "") -> String {
        (0..<fileCount).map { index in
            "apiVersion: chainbot.dev/v1\nkind: ConfigFile\nmetadata: {name: \(name(index))}\n"
                + "spec: {path: \(prefix)/etc/kt/\(name(index)).conf, content: \"v1 \(index)\\n\"}\n"
        }.joined(separator: "---\n")
    }
}
