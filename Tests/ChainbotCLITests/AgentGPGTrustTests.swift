import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// `chainbot agent` with `git-verify: true` and no allowed-signers file, on real repositories and real
/// `gpg`: its git inherits `GNUPGHOME` (as `Environment=` in a unit drop-in gives it) and trusts the keys
/// in that keyring only.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/gpg"), "needs gpg (apt-get install gnupg)"))
struct AgentGPGTrustTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test func aCommitByAKeyNotInGNUPGHOMEIsRefusedAndTheNextOneByAKeyInItIsApplied() async throws {
        let world = try await GitFleetRepository()
        try await GPGFleetKeys.with(world) { keys in
            let target = world.directory.file("note.txt")
            try await keys.push("first", target: target, signedBy: "good")
            let pi = try await world.clone("pi")
            let state = world.directory.file("state.db")
            let config = world.directory.write(
                "pi.yaml", "filename: [\(pi)/manifests]\nstate: \(state)\ngit-pull: 1s\ngit-verify: true\n")
            let environment = keys.piEnvironment.map { "\($0.key)=\($0.value)" }.sorted()
            let agent = try DetachedProcess.launch(
                "/usr/bin/env", environment + [Self.binary, "agent", "--config", config, "--listen", "off"],
                logPath: world.directory.file("pi.log"))
            defer { agent.stop() }
            let log = { Fixtures.readText(world.directory.file("pi.log")) ?? "" }
            #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" }, "\(log())")

            let bad = try await keys.push("tampered", target: target, signedBy: "evil")
            let events = {
                try await SpawnCommandRunner().run(CommandInvocation(Self.binary, ["events", "--state", state])).output
            }
            #expect(try await Poll.within(.seconds(120)) { try await events().contains("GitVerifyFailed") }, "\(log())")
            let refused = try await events()
            #expect(refused.contains("refused commit \(bad.prefix(12))"), "\(refused)")
            #expect(refused.contains("No public key"), "\(refused)")
            #expect(Fixtures.readText(target) == "first\n")

            // A good signature on top: the agent follows again and the problem clears.
            try await keys.push("second", target: target, signedBy: "good")
            #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "second\n" }, "\(log())")
            let status = try await SpawnCommandRunner().run(
                CommandInvocation(Self.binary, ["status", "--state", state]))
            #expect(!status.output.contains("NOT FOLLOWING"), "\(status.output)")
        }
    }
}
