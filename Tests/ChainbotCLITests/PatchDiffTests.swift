import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// `diff -o patch` is a unified diff that the real GNU `patch` applies, and `CHAINBOT_EXTERNAL_DIFF` runs
/// a program of the user's on the same two trees (as `KUBECTL_EXTERNAL_DIFF`); secrets stay digests.
@Suite(.enabled(if: Fixtures.exists("/usr/bin/patch") && Fixtures.exists("/usr/bin/diff"), "needs patch and diff"))
struct PatchDiffTests {
    static let secret = "hunter2-patch-9d1"

    /// An image where one file differs in content and mode, one is missing, one holds a secret.
    static func world(_ work: TemporaryDirectory) -> [String] {
        work.write("img/etc/b.conf", "old line\nkeep\n")
        chmod(work.file("img/etc/b.conf"), 0o600)
        work.write("img/etc/chainbot/secrets/app", "TOKEN=\(secret)\n")
        let manifests = work.write(
            "m/files.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: b}
            spec: {path: /etc/b.conf, content: "new line\\nkeep\\n", mode: "0644"}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: c}
            spec: {path: /etc/c.conf, content: "fresh\\n"}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: s}
            spec:
              path: /etc/s.env
              env: {TOKEN: {secretRef: {file: /etc/chainbot/secrets/app, key: TOKEN}}}
            """)
        return ["diff", "--root", work.file("img"), "-f", manifests, "--state", work.file("state.db")]
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> CommandResult {
        try await SpawnCommandRunner().run(CommandInvocation(executable, arguments, timeout: .seconds(60)))
    }

    @Test func thePatchTurnsTheObservedTreeIntoTheDesiredOneWithTheRealPatch() async throws {
        let work = TemporaryDirectory("chainbot-patch")
        let arguments = Self.world(work)
        let temporary = work.file("tmp")
        mkdir(temporary, 0o700)
        mkdir(work.file("seen"), 0o700)
        // The external program copies both trees it is given, so the test sees exactly what it saw.
        let external = await CLIHarness.run(
            arguments, environment: ["CHAINBOT_EXTERNAL_DIFF": "cp -a -t \(work.file("seen"))", "TMPDIR": temporary])
        #expect(external.status == 1, "differences: \(external.stderr)")
        #expect(external.stdout.contains("to create"), "the plan's summary follows: \(external.stdout)")
        #expect(Fixtures.list(temporary).isEmpty, "the trees are removed afterwards: \(Fixtures.list(temporary))")
        #expect(Fixtures.readText(work.file("seen/observed/ConfigFile/b/content")) == "old line\nkeep\n")
        #expect(Fixtures.readText(work.file("seen/desired/ConfigFile/b/content")) == "new line\nkeep\n")
        #expect(Fixtures.readText(work.file("seen/desired/ConfigFile/c/fields")) == "mode: 0644\n")

        let patch = await CLIHarness.run(arguments + ["-o", "patch"])
        #expect(patch.status == 1)
        #expect(
            patch.stdout.hasPrefix("--- a/ConfigFile/b/content\n+++ b/ConfigFile/b/content\n@@ "), "\(patch.stdout)")
        let patchFile = work.write("plan.patch", patch.stdout)
        let applied = try await Self.run("patch", ["-p1", "-s", "-d", work.file("seen/observed"), "-i", patchFile])
        #expect(applied.succeeded, "\(applied)")
        let same = try await Self.run("diff", ["-r", work.file("seen/observed"), work.file("seen/desired")])
        #expect(same.succeeded, "after the patch the observed tree is the desired one: \(same)")

        for output in [patch.stdout, external.stdout] { #expect(!output.contains(Self.secret)) }
        let seen = (Fixtures.readText(work.file("seen/desired/ConfigFile/s/fields")) ?? "")
        #expect(seen.hasPrefix("content: sha256:"), "a secret is its digest in the trees too: \(seen)")
    }

    @Test func anExternalProgramThatFailsIsAnErrorNamingIt() async throws {
        let work = TemporaryDirectory("chainbot-patch")
        let run = await CLIHarness.run(
            Self.world(work), environment: ["CHAINBOT_EXTERNAL_DIFF": "diff --no-such-option"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("CHAINBOT_EXTERNAL_DIFF=diff --no-such-option failed: exited 2"), "\(run.stderr)")
        let other = TemporaryDirectory("chainbot-patch")
        let missing = await CLIHarness.run(
            Self.world(other),
            environment: ["CHAINBOT_EXTERNAL_DIFF": "/nonexistent/differ"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/differ"), "\(missing.stderr)")
    }
}
