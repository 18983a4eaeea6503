import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `chainbot agent` with `git-verify`, `git-allowed-signers` and `git-branch` from its configuration
/// file, on real repositories, git run with the test's `HOME`.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct AgentGitTrustTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// An agent on `pi` with the configuration `config` (YAML lines), under the world's `HOME`.
    func agent(_ world: GitFleetRepository, _ name: String, config: String) throws -> DetachedProcess {
        let path = world.directory.write("\(name).yaml", config)
        let environment = world.environment.map { "\($0.key)=\($0.value)" }.sorted()
        return try DetachedProcess.launch(
            "/usr/bin/env",
            environment + [Self.binary, "agent", "--config", path, "--listen", "off"],
            logPath: world.directory.file("\(name).log"))
    }

    @Test func anUnsignedCommitIsRefusedWithAnEventAndShownByStatusWhileTheLastGoodOneStays() async throws {
        let world = try await GitFleetRepository()
        let signers = world.directory.write("allowed_signers", try await world.key("good"))
        let target = world.directory.file("note.txt")
        try await world.push("first", target: target, signedBy: "good")
        let pi = try await world.clone("pi")
        let state = world.directory.file("state.db")
        let agent = try agent(
            world, "pi",
            config: """
                filename: [\(pi)/manifests]
                state: \(state)
                git-pull: 1s
                git-verify: true
                git-allowed-signers: \(signers)
                """)
        defer { agent.stop() }
        let log = { Fixtures.readText(world.directory.file("pi.log")) ?? "" }
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" }, "\(log())")

        let bad = try await world.push("tampered", target: target)
        let events = {
            try await SpawnCommandRunner().run(CommandInvocation(Self.binary, ["events", "--state", state]))
        }
        #expect(
            try await Poll.within(.seconds(120)) { try await events().output.contains("GitVerifyFailed") }, "\(log())")
        let text = try await events().output
        #expect(text.contains("Warning") && text.contains("refused commit \(bad.prefix(12))"), "\(text)")
        let status = try await SpawnCommandRunner().run(CommandInvocation(Self.binary, ["status", "--state", state]))
        #expect(status.output.contains("git: NOT FOLLOWING"), "\(status.output)")
        #expect(status.output.contains("the commit carries no signature"), "\(status.output)")
        #expect(Fixtures.readText(target) == "first\n")
        #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("first") == true)

        // Pull after pull the same refusal is one event (one webhook to ALEX OS), not one per pull.
        let fetched = { Self.modified(pi + "/.git/FETCH_HEAD") }
        var fetches = 0
        var last = fetched()
        #expect(
            try await Poll.within(.seconds(120)) {
                if let now = fetched(), now != last {
                    fetches += 1
                    last = now
                }
                return fetches >= 3
            }, "three more pulls: \(log())")
        let json = try JSONValue(parsing: try await Self.eventsJSON(state))
        let refusals = (json["events"]?.array ?? []).filter { $0["reason"]?.string == "GitVerifyFailed" }
        #expect(refusals.count == 1 && refusals.first?["count"]?.int == 1, "\(json)")
    }

    /// The file's modification time in nanoseconds, or nil when it is missing.
    static func modified(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
    }

    static func eventsJSON(_ state: String) async throws -> String {
        try await SpawnCommandRunner().run(CommandInvocation(Self.binary, ["events", "-o", "json", "--state", state]))
            .output
    }

    /// Writes `version` into both hosts' manifests on the author's checked-out branch, commits, pushes
    /// to `branch`; returns the commit.
    func release(_ world: GitFleetRepository, _ version: String, to branch: String) async throws -> String {
        for host in ["canary", "steady"] {
            _ = world.directory.write(
                "author/hosts/\(host)/note.yaml",
                """
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: note}
                spec: {path: \(world.directory.file(host + ".txt")), content: "\(version)\\n"}
                """)
        }
        try await world.git(["add", "."], in: world.author)
        try await world.git(["commit", "--quiet", "-m", version], in: world.author)
        try await world.git(["push", "--quiet", "origin", "HEAD:refs/heads/\(branch)"], in: world.author)
        return try await world.git(["rev-parse", "HEAD"], in: world.author)
    }

    @Test func canaryAndMainHostsFollowTheirBranchesAndAMergePromotes() async throws {
        let world = try await GitFleetRepository()
        let v1 = try await release(world, "v1", to: "main")
        try await world.git(["push", "--quiet", "origin", "HEAD:refs/heads/canary"], in: world.author)
        var agents: [DetachedProcess] = []
        defer { for agent in agents { agent.stop() } }
        for (host, branch) in [("canary", "canary"), ("steady", "main")] {
            let pi = try await world.clone("pi-" + host)
            agents.append(
                try agent(
                    world, host,
                    config: """
                        filename: [\(pi)/hosts/\(host)]
                        state: \(world.directory.file(host + ".db"))
                        git-pull: 1s
                        git-branch: \(branch)
                        """))
        }
        let logs = { ["canary", "steady"].map { Fixtures.readText(world.directory.file($0 + ".log")) ?? "" } }
        let text = { (host: String) in Fixtures.readText(world.directory.file(host + ".txt")) }
        #expect(
            try await Poll.within(.seconds(120)) { text("canary") == "v1\n" && text("steady") == "v1\n" }, "\(logs())")

        // A release to the canary ring only.
        try await world.git(["checkout", "--quiet", "-b", "canary"], in: world.author)
        let v2 = try await release(world, "v2", to: "canary")
        #expect(try await Poll.within(.seconds(120)) { text("canary") == "v2\n" }, "\(logs())")
        #expect(text("steady") == "v1\n")
        func generation(_ host: String) async throws -> String {
            try await SpawnCommandRunner().run(
                CommandInvocation(Self.binary, ["status", "--state", world.directory.file(host + ".db")])
            ).output
        }
        #expect(try await generation("canary").contains("generation \(v2.prefix(19))"))
        #expect(try await generation("steady").contains("generation \(v1.prefix(19))"))

        // Promotion: main merges canary; the steady ring follows.
        try await world.git(["checkout", "--quiet", "main"], in: world.author)
        try await world.git(["merge", "--quiet", "--no-ff", "-m", "promote v2", "canary"], in: world.author)
        try await world.git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], in: world.author)
        #expect(try await Poll.within(.seconds(120)) { text("steady") == "v2\n" }, "\(logs())")
        #expect(text("canary") == "v2\n")
    }

    @Test func aRemoteThatDoesNotAnswerIsAnEventNamingItAndTheOneThatServed() async throws {
        let world = try await GitFleetRepository()
        let target = world.directory.file("note.txt")
        try await world.push("first", target: target)
        let pi = try await world.clone("pi")
        let state = world.directory.file("state.db")
        let gone = world.directory.file("gone.git")
        let agent = try agent(
            world, "pi",
            config: """
                filename: [\(pi)/manifests]
                state: \(state)
                git-pull: 1s
                git-remotes: [\(gone), \(world.remote)]
                """)
        defer { agent.stop() }
        let log = { Fixtures.readText(world.directory.file("pi.log")) ?? "" }
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" }, "\(log())")
        try await world.push("second", target: target)
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "second\n" }, "\(log())")
        let events = try await SpawnCommandRunner().run(CommandInvocation(Self.binary, ["events", "--state", state]))
        #expect(events.output.contains("GitRemoteFailed"), "\(events.output)")
        #expect(events.output.contains("git fetch from \(gone) failed"), "\(events.output)")
        #expect(events.output.contains("\(world.remote) served"), "\(events.output)")
        #expect(events.output.split(separator: "\n").filter { $0.contains("GitRemoteFailed") }.count == 1, "once")
    }

    @Test func aMissingAllowedSignersFileIsAUsageErrorNamingItAndNothingIsCreated() async throws {
        let world = try await GitFleetRepository()
        try await world.push("first", target: world.directory.file("note.txt"))
        let pi = try await world.clone("pi")
        let state = world.directory.file("state.db")
        let missing = world.directory.file("no/allowed_signers")
        let result = try await SpawnCommandRunner().run(
            CommandInvocation(
                Self.binary,
                [
                    "agent", "-f", pi + "/manifests", "--state", state, "--git-pull", "1m", "--git-verify",
                    "--git-allowed-signers", missing, "--listen", "off",
                ], environment: world.environment))
        #expect(result.termination == .exited(64))
        #expect(result.errorOutput.contains("--git-allowed-signers \(missing)"), "\(result.errorOutput)")
        #expect(!Fixtures.exists(state))
    }
}
