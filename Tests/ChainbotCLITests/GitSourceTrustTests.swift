import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// The git source's trust and remotes, on real repositories: `git verify-commit` between the fetch and
/// the fast-forward; remotes tried in order; a branch per ring.
@Suite(
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct GitSourceTrustTests {
    /// A world with a trusted key `good` (in allowed_signers) and an untrusted key `evil`, one signed
    /// commit pushed and a Pi's clone of it.
    func world() async throws -> (GitFleetRepository, pi: String, first: String, settings: GitSourceSettings) {
        let world = try await GitFleetRepository()
        let line = try await world.key("good")
        _ = try await world.key("evil")
        let signers = world.directory.write("allowed_signers", line)
        let first = try await world.push("first", target: world.directory.file("note.txt"), signedBy: "good")
        let pi = try await world.clone("pi")
        return (world, pi, first, GitSourceSettings(verify: true, allowedSigners: signers))
    }

    func source(_ world: GitFleetRepository, _ pi: String, _ settings: GitSourceSettings) async throws -> GitSource {
        let runner = IsolatedGitRunner(environment: world.environment)
        return try await GitSource.find(for: pi + "/manifests", runner: runner, settings: settings).get()
    }

    @Test func aCommitSignedByAnAllowedKeyIsFollowed() async throws {
        let (world, pi, _, settings) = try await world()
        let second = try await world.push("second", target: world.directory.file("note.txt"), signedBy: "good")
        let pulled = try await source(world, pi, settings).pull().get()
        #expect(pulled.commit == second)
        #expect(try await world.git(["rev-parse", "HEAD"], in: pi) == second)
    }

    @Test(arguments: [nil, "evil"])
    func aCommitNotSignedByAnAllowedKeyIsRefusedAndTheLastGoodCommitStays(signer: String?) async throws {
        let (world, pi, first, settings) = try await world()
        let bad = try await world.push("tampered", target: world.directory.file("note.txt"), signedBy: signer)
        let result = try await source(world, pi, settings).pull()
        guard case .failure(let error) = result else {
            Issue.record("the commit was accepted: \(result)")
            return
        }
        #expect(error.reason == .gitVerifyFailed)
        #expect(error.description.contains("refused commit \(bad.prefix(12))"), "\(error)")
        #expect(error.description.contains("stays on \(first.prefix(12))"), "\(error)")
        // git's own words: no signature, or one it cannot check against the allowed signers.
        #expect(
            error.description.contains(signer == nil ? "the commit carries no signature" : "Could not verify signature")
                || error.description.contains("No principal matched"), "\(error)")
        #expect(try await world.git(["rev-parse", "HEAD"], in: pi) == first)
        #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("first") == true)
    }

    @Test func theSecondRemoteServesWhenTheFirstDoesNotAnswer() async throws {
        let world = try await GitFleetRepository()
        try await world.push("first", target: world.directory.file("note.txt"))
        let pi = try await world.clone("pi")
        let second = try await world.push("second", target: world.directory.file("note.txt"))
        let missing = world.directory.file("gone.git")
        let settings = GitSourceSettings(remotes: [missing, world.remote])
        let pulled = try await source(world, pi, settings).pull().get()
        #expect(pulled.commit == second)
        #expect(pulled.servedBy == world.remote)
        #expect(pulled.failed.map(\.remote) == [missing])
        #expect(pulled.fallback?.contains("git fetch from \(missing) failed") == true, "\(pulled.fallback ?? "")")
        #expect(pulled.fallback?.hasSuffix("\(world.remote) served") == true, "\(pulled.fallback ?? "")")
    }

    @Test func noRemoteAnsweringIsAFailureNamingEachAndNothingMoves() async throws {
        let world = try await GitFleetRepository()
        let first = try await world.push("first", target: world.directory.file("note.txt"))
        let pi = try await world.clone("pi")
        let settings = GitSourceSettings(remotes: [world.directory.file("a.git"), world.directory.file("b.git")])
        let result = try await source(world, pi, settings).pull()
        guard case .failure(let error) = result else {
            Issue.record("expected a failure: \(result)")
            return
        }
        #expect(error.reason == .gitSyncFailed)
        #expect(error.description.contains("a.git: ") && error.description.contains("b.git: "), "\(error)")
        #expect(try await world.git(["rev-parse", "HEAD"], in: pi) == first)
    }

    @Test func aPasswordInARemoteURLIsLeftOutOfWhatIsShown() {
        #expect(GitSource.shown("https://pi:s3cret@git.example/fleet.git") == "https://pi@git.example/fleet.git")
        #expect(GitSource.shown("git@github.com:o/fleet.git") == "git@github.com:o/fleet.git")
    }
}

/// The status page shows a git source that is not followed, with git's words, and needs attention.
struct StatusPageGitProblemTests {
    @Test func aRefusedCommitIsShownOnTheStatusPage() {
        let problem = "git verify-commit refused commit 0123456789ab of main from origin: <no signature>"
        let html = StatusPage.html(
            .object([
                ("agent", .object([("gitProblem", .string(problem))])),
                ("counts", .object([("total", .int(0)), ("outOfSync", .int(0)), ("degraded", .int(0))])),
            ]))
        #expect(html.contains("<h2>Git source not followed</h2>"))
        #expect(html.contains("refused commit 0123456789ab of main from origin: &lt;no signature&gt;"))
        #expect(html.contains("Needs attention"))
        let fine = StatusPage.html(.object([("agent", .object([]))]))
        #expect(!fine.contains("Git source not followed"))
    }
}
