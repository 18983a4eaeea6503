import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// The git source's trust through OpenPGP signatures, on real repositories and real `gpg`: without an
/// allowed-signers file, `git verify-commit` checks against the keyring of the agent's `GNUPGHOME`.
@Suite(
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/gpg"), "needs gpg (apt-get install gnupg)"))
struct GitSourceGPGTrustTests {
    /// A world with keys `good` and `evil` in the author's keyring (`HOME/.gnupg`), a Pi keyring holding
    /// only `good`'s public key, one commit signed by `good` pushed, and a Pi's clone of it; `body` gets
    /// the git source of that clone, with `GNUPGHOME` set to the Pi's keyring.
    func withWorld(
        _ body: (GitFleetRepository, _ pi: String, _ first: String, _ source: GitSource) async throws -> Void
    ) async throws {
        let world = try await GitFleetRepository()
        let keyring = world.directory.file("pi-gnupg")
        let outcome: Result<Void, any Error>
        do {
            let (pi, first, source) = try await setUp(world, keyring: keyring)
            try await body(world, pi, first, source)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // The `gpg-agent`s that key generation, signing and import started for these keyrings.
        for homedir in [world.home + "/.gnupg", keyring] {
            _ = try? await world.spawn.run(
                CommandInvocation("/usr/bin/gpgconf", ["--homedir", homedir, "--kill", "gpg-agent"]))
        }
        try outcome.get()
    }

    func setUp(_ world: GitFleetRepository, keyring: String) async throws -> (String, String, GitSource) {
        for name in ["good", "evil"] {
            try await world.run(
                "/usr/bin/gpg",
                [
                    "--batch", "--quiet", "--passphrase", "", "--quick-gen-key", "\(name) <\(name)@example.invalid>",
                    "ed25519", "sign", "never",
                ])
        }
        let exported = world.directory.file("good.asc")
        try await world.run(
            "/usr/bin/gpg", ["--batch", "--armor", "--output", exported, "--export", "good@example.invalid"])
        try #require(mkdir(keyring, 0o700) == 0, "mkdir \(keyring)")
        try await world.run("/usr/bin/gpg", ["--homedir", keyring, "--batch", "--quiet", "--import", exported])
        try await world.git(["config", "commit.gpgSign", "true"], in: world.author)
        let first = try await push(world, "first", signedBy: "good")
        let pi = try await world.clone("pi")
        let runner = IsolatedGitRunner(environment: world.environment.merging(["GNUPGHOME": keyring]) { $1 })
        let source = try await GitSource.find(
            for: pi + "/manifests", runner: runner, settings: GitSourceSettings(verify: true)
        ).get()
        return (pi, first, source)
    }

    /// Pushes a commit that the author's `gpg` signs with the key of `name`.
    func push(_ world: GitFleetRepository, _ text: String, signedBy name: String) async throws -> String {
        try await world.git(["config", "user.signingKey", "\(name)@example.invalid"], in: world.author)
        return try await world.push(text, target: world.directory.file("note.txt"))
    }

    @Test func aCommitSignedByAKeyInTheKeyringIsFollowed() async throws {
        try await withWorld { world, pi, _, source in
            let second = try await push(world, "second", signedBy: "good")
            let pulled = try await source.pull().get()
            #expect(pulled.commit == second)
            #expect(try await world.git(["rev-parse", "HEAD"], in: pi) == second)
            #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("second") == true)
        }
    }

    @Test func aCommitSignedByAKeyNotInTheKeyringIsRefusedAndTheLastGoodCommitStays() async throws {
        try await withWorld { world, pi, first, source in
            let bad = try await push(world, "tampered", signedBy: "evil")
            let result = await source.pull()
            guard case .failure(let error) = result else {
                Issue.record("the commit was accepted: \(result)")
                return
            }
            #expect(error.reason == .gitVerifyFailed)
            #expect(error.description.contains("refused commit \(bad.prefix(12))"), "\(error)")
            #expect(error.description.contains("stays on \(first.prefix(12))"), "\(error)")
            // gpg's own words for a signature by a key the Pi's keyring does not hold.
            #expect(error.description.contains("No public key"), "\(error)")
            #expect(try await world.git(["rev-parse", "HEAD"], in: pi) == first)
            #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("first") == true)
        }
    }
}
