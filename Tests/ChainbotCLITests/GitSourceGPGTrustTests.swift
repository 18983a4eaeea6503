import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// The git source's trust through OpenPGP signatures, on real repositories and real `gpg`: without an
/// allowed-signers file, `git verify-commit` checks against the keyring of the agent's `GNUPGHOME`.
@Suite(
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/gpg"), "needs gpg (apt-get install gnupg)"))
struct GitSourceGPGTrustTests {
    /// A world with `GPGFleetKeys`, one commit signed by `good` pushed, and a Pi's clone of it; `body` gets
    /// the git source of that clone, with `GNUPGHOME` set to the Pi's keyring.
    func withWorld(
        _ body: (GPGFleetKeys, _ pi: String, _ first: String, _ source: GitSource) async throws -> Void
    ) async throws {
        let world = try await GitFleetRepository()
        try await GPGFleetKeys.with(world) { keys in
            let first = try await keys.push("first", target: world.directory.file("note.txt"), signedBy: "good")
            let pi = try await world.clone("pi")
            let source = try await GitSource.find(
                for: pi + "/manifests", runner: IsolatedGitRunner(environment: keys.piEnvironment),
                settings: GitSourceSettings(verify: true)
            ).get()
            try await body(keys, pi, first, source)
        }
    }

    @Test func aCommitSignedByAKeyInTheKeyringIsFollowed() async throws {
        try await withWorld { keys, pi, _, source in
            let second = try await keys.push("second", target: keys.world.directory.file("note.txt"), signedBy: "good")
            let pulled = try await source.pull().get()
            #expect(pulled.commit == second)
            #expect(try await keys.world.git(["rev-parse", "HEAD"], in: pi) == second)
            #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("second") == true)
        }
    }

    @Test func aCommitSignedByAKeyNotInTheKeyringIsRefusedAndTheLastGoodCommitStays() async throws {
        try await withWorld { keys, pi, first, source in
            let bad = try await keys.push("tampered", target: keys.world.directory.file("note.txt"), signedBy: "evil")
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
            #expect(try await keys.world.git(["rev-parse", "HEAD"], in: pi) == first)
            #expect(Fixtures.readText(pi + "/manifests/note.yaml")?.contains("first") == true)
        }
    }
}
