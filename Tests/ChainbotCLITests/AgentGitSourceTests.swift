import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// `chainbot agent --git-pull`: a commit pushed to the manifests' remote reaches the host, with the
/// commit as the generation; a branch that cannot fast-forward is reported and left alone.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"))
struct AgentGitSourceTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    let runner = SpawnCommandRunner()

    func git(_ arguments: [String], in directory: String) async throws -> String {
        let result = try await runner.run(
            CommandInvocation(
                "git", ["-C", directory, "-c", "user.name=test", "-c", "user.email=test@example.invalid"] + arguments))
        try #require(result.succeeded, "git \(arguments): \(result.errorOutput)")
        return result.output.trimmingNewline
    }

    func manifest(_ text: String, target: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: note}
        spec: {path: \(target), content: "\(text)\\n"}
        """
    }

    @Test func aPushedCommitIsAppliedWithTheCommitAsGeneration() async throws {
        let directory = TemporaryDirectory()
        let target = directory.file("note.txt")
        _ = try await runner.run(CommandInvocation("git", ["init", "--quiet", "--bare", directory.file("remote.git")]))
        _ = try await runner.run(
            CommandInvocation("git", ["clone", "--quiet", directory.file("remote.git"), directory.file("author")]))
        directory.write("author/manifests/note.yaml", manifest("first", target: target))
        _ = try await git(["add", "."], in: directory.file("author"))
        _ = try await git(["commit", "--quiet", "-m", "first"], in: directory.file("author"))
        _ = try await git(["push", "--quiet", "origin", "HEAD"], in: directory.file("author"))
        _ = try await runner.run(
            CommandInvocation("git", ["clone", "--quiet", directory.file("remote.git"), directory.file("pi")]))

        let agent = try DetachedProcess.launch(
            Self.binary,
            [
                "agent", "-f", directory.file("pi/manifests"), "--state", directory.file("state.db"), "--git-pull",
                "1s", "--listen", "off",
            ], logPath: directory.file("agent.log"))
        defer { agent.stop() }
        var text = ""
        for _ in 0..<50 where text != "first\n" {
            try await Task.sleep(for: .milliseconds(100))
            text = Fixtures.readText(target) ?? ""
        }
        #expect(text == "first\n", "\(Fixtures.readText(directory.file("agent.log")) ?? "")")

        directory.write("author/manifests/note.yaml", manifest("second", target: target))
        _ = try await git(["commit", "--quiet", "-am", "second"], in: directory.file("author"))
        _ = try await git(["push", "--quiet", "origin", "HEAD"], in: directory.file("author"))
        let commit = try await git(["rev-parse", "HEAD"], in: directory.file("author"))
        for _ in 0..<80 where text != "second\n" {
            try await Task.sleep(for: .milliseconds(100))
            text = Fixtures.readText(target) ?? ""
        }
        #expect(text == "second\n", "\(Fixtures.readText(directory.file("agent.log")) ?? "")")
        let status = try await runner.run(
            CommandInvocation(Self.binary, ["status", "--state", directory.file("state.db")]))
        #expect(status.output.contains("generation \(commit.prefix(19))"), "\(status.output)")

        // A local commit on the Pi: the branch cannot fast-forward; reported, the host left as it is.
        directory.write("pi/manifests/local.txt", "edited on the Pi\n")
        _ = try await git(["add", "."], in: directory.file("pi"))
        _ = try await git(["commit", "--quiet", "-m", "local"], in: directory.file("pi"))
        directory.write("author/manifests/note.yaml", manifest("third", target: target))
        _ = try await git(["commit", "--quiet", "-am", "third"], in: directory.file("author"))
        _ = try await git(["push", "--quiet", "origin", "HEAD"], in: directory.file("author"))
        var log = ""
        for _ in 0..<80 where !log.contains("cannot fast-forward") {
            try await Task.sleep(for: .milliseconds(100))
            log = Fixtures.readText(directory.file("agent.log")) ?? ""
        }
        #expect(log.contains("cannot fast-forward"), "\(log)")
        #expect(Fixtures.readText(target) == "second\n")
    }

    @Test func aRollbackSticksWhileTheGitSourceMovesOnUntilUnpinned() async throws {
        let directory = TemporaryDirectory()
        let target = directory.file("note.txt")
        let state = directory.file("state.db")
        _ = try await runner.run(CommandInvocation("git", ["init", "--quiet", "--bare", directory.file("remote.git")]))
        _ = try await runner.run(
            CommandInvocation("git", ["clone", "--quiet", directory.file("remote.git"), directory.file("author")]))
        func push(_ text: String) async throws -> String {
            directory.write("author/manifests/note.yaml", manifest(text, target: target))
            _ = try await git(["add", "."], in: directory.file("author"))
            _ = try await git(["commit", "--quiet", "-m", text], in: directory.file("author"))
            _ = try await git(["push", "--quiet", "origin", "HEAD"], in: directory.file("author"))
            return try await git(["rev-parse", "HEAD"], in: directory.file("author"))
        }
        _ = try await push("first")
        _ = try await runner.run(
            CommandInvocation("git", ["clone", "--quiet", directory.file("remote.git"), directory.file("pi")]))
        let agent = try DetachedProcess.launch(
            Self.binary,
            [
                "agent", "-f", directory.file("pi/manifests"), "--state", state, "--git-pull", "1s", "--resync", "1s",
                "--listen", "off",
            ], logPath: directory.file("agent.log"))
        defer { agent.stop() }
        let log = { Fixtures.readText(directory.file("agent.log")) ?? "" }
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" }, "\(log())")
        _ = try await push("second")
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "second\n" }, "\(log())")

        let rollback = try await runner.run(CommandInvocation(Self.binary, ["rollback", "1", "--state", state]))
        #expect(rollback.succeeded, "\(rollback.output)\(rollback.errorOutput)")
        #expect(rollback.errorOutput.contains("pinned to revision 1"), "\(rollback.errorOutput)")
        #expect(Fixtures.readText(target) == "first\n")

        // git moves on; the agent pulls it, and keeps the pinned revision (also against a hand edit).
        let third = try await push("third")
        #expect(
            try await Poll.within(.seconds(120)) {
                log().contains("fast-forwarded") && log().contains(String(third.prefix(12)))
            })
        _ = Fixtures.write(target, "tampered\n")
        #expect(
            try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" },
            "the pinned set is enforced"
        )
        #expect(log().contains("pinned to revision 1"), "\(log())")
        let status = try await runner.run(CommandInvocation(Self.binary, ["status", "--state", state, "-o", "json"]))
        #expect(status.output.contains("\"revision\": 1"), "\(status.output)")
        let apply = try await runner.run(
            CommandInvocation(Self.binary, ["apply", "-f", directory.file("pi/manifests"), "--state", state]))
        #expect(!apply.succeeded)
        #expect(apply.errorOutput.contains("the host is pinned to revision 1"), "\(apply.errorOutput)")
        #expect(Fixtures.readText(target) == "first\n")

        let unpin = try await runner.run(CommandInvocation(Self.binary, ["unpin", "--state", state]))
        #expect(unpin.succeeded, "\(unpin.errorOutput)")
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "third\n" }, "\(log())")
    }

    @Test func aManifestsDirectoryOutsideGitIsOneClearError() async throws {
        let directory = TemporaryDirectory()
        let manifests = directory.write("m/note.yaml", manifest("x", target: directory.file("x.txt")))
        let result = try await runner.run(
            CommandInvocation(
                Self.binary,
                ["agent", "-f", manifests, "--state", directory.file("s.db"), "--git-pull", "1m", "--listen", "off"]))
        #expect(result.termination == .exited(64))
        #expect(result.errorOutput.contains("--git-pull:"), "\(result.errorOutput)")
    }
}

extension String {
    fileprivate var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

/// Watchtower targets are probed at their own interval by the agent, not only at the resync.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: Fixtures.exists("/usr/bin/python3"), "needs python3 for a TCP listener"))
struct AgentWatchtowerIntervalTests {
    @Test func aTargetThatStopsAnsweringIsAWarningWithinItsIntervalAndRecovers() async throws {
        let directory = TemporaryDirectory()
        let port = 20_000 + Int(UInt16.random(in: 0...20_000))
        let listen = [Fixtures.path("contrib/testbed/tcp.py"), "listen", String(port)]
        var listener = try DetachedProcess.launch("/usr/bin/python3", listen, logPath: directory.file("l1.log"))
        let manifests = directory.write(
            "m/target.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: WatchtowerTarget
            metadata: {name: api}
            spec:
              type: tcp
              target: 127.0.0.1:\(port)
              interval: 1s
              timeout: 1s
              thresholds: {failures: 2, recoveries: 1}
            """)
        let state = directory.file("state.db")
        let agent = try DetachedProcess.launch(
            "/usr/bin/env",
            [
                "CHAINBOT_WATCHTOWER_RELOAD=", AgentGitSourceTests.binary, "agent", "-f", manifests, "--state", state,
                "--resync", "60s", "--listen", "off", "--watchtower-targets", directory.file("targets.yaml"),
            ], logPath: directory.file("agent.log"))
        defer {
            agent.stop()
            listener.stop()
        }
        func events() async throws -> String {
            try await SpawnCommandRunner().run(
                CommandInvocation(AgentGitSourceTests.binary, ["events", "--state", state])
            ).output
        }
        try await Task.sleep(for: .seconds(1))
        listener.stop()
        var text = ""
        for _ in 0..<60 where !text.contains("Healthy → Degraded") {
            try await Task.sleep(for: .milliseconds(100))
            text = try await events()
        }
        #expect(text.contains("Warning  HealthChanged   WatchtowerTarget/api"), "\(text)")
        #expect(text.contains("connect 127.0.0.1:\(port)"), "the evidence")
        listener = try DetachedProcess.launch("/usr/bin/python3", listen, logPath: directory.file("l2.log"))
        for _ in 0..<60 where !text.contains("Degraded → Healthy") {
            try await Task.sleep(for: .milliseconds(100))
            text = try await events()
        }
        #expect(text.contains("Degraded → Healthy"), "\(text)\n\(Fixtures.readText(directory.file("agent.log")) ?? "")")
    }
}
