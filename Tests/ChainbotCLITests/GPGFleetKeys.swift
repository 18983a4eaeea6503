import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// OpenPGP keys for a `GitFleetRepository`, made with the real `gpg`: `good` and `evil` in the author's
/// keyring (`HOME/.gnupg`), whose clone signs every commit, and a Pi's keyring holding only `good`'s
/// public key (imported, no ownertrust: what `docs/fleet.md` tells a fleet to do).
struct GPGFleetKeys {
    let world: GitFleetRepository
    /// The Pi's `GNUPGHOME`.
    var keyring: String { world.directory.file("pi-gnupg") }
    /// The world's environment with the Pi's keyring, as the agent would run.
    var piEnvironment: [String: String] { world.environment.merging(["GNUPGHOME": keyring]) { $1 } }

    /// Runs `body` with the keys made, then ends the `gpg-agent`s that key generation, signing and
    /// import started for both keyrings, whether `body` threw or not.
    static func with(_ world: GitFleetRepository, _ body: (GPGFleetKeys) async throws -> Void) async throws {
        let keys = GPGFleetKeys(world: world)
        let outcome: Result<Void, any Error>
        do {
            try await keys.make()
            try await body(keys)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for homedir in [world.home + "/.gnupg", keys.keyring] {
            _ = try? await world.spawn.run(
                CommandInvocation("/usr/bin/gpgconf", ["--homedir", homedir, "--kill", "gpg-agent"]))
        }
        try outcome.get()
    }

    private func make() async throws {
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
    }

    /// Pushes a commit writing `text` to `target` that the author's `gpg` signs with the key of `name`.
    @discardableResult
    func push(_ text: String, target: String, signedBy name: String) async throws -> String {
        try await world.git(["config", "user.signingKey", "\(name)@example.invalid"], in: world.author)
        return try await world.push(text, target: target)
    }
}
