import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Testing

/// `contrib/install.sh` on a real (throwaway) systemd host, twice: the second run changes nothing, and
/// the installed agent unit starts and reports ready.
@Suite(
    .enabled(if: Testbed.availability() == nil, "the testbed needs root, systemd and unshare (see contrib/testbed)"),
    .enabled(if: Fixtures.exists(Testbed.chainbotBinary), "the chainbot binary is not built"))
struct InstallInTestbedTests {
    /// Every installed path with its type, mode, owner and content digest.
    static let inventory = """
        find /usr/local/bin/chainbot /etc/systemd/system/chainbot-agent.service /etc/chainbot /var/lib/chainbot \
        /usr/share/bash-completion/completions/chainbot /usr/share/zsh/vendor-completions/_chainbot \
        -printf '%p %y %m %u:%g %s %T@\\n' 2>/dev/null | sort; \
        sha256sum /usr/local/bin/chainbot /etc/systemd/system/chainbot-agent.service /etc/chainbot/config.yaml
        """

    @Test func installingTwiceLeavesTheSameResultAndTheAgentStarts() async throws {
        try await Testbed.with(name: "install", binds: Testbed.checkoutBinds, runner: SpawnCommandRunner()) {
            testbed in
            let install = [Fixtures.path("contrib/install.sh"), "--binary", Testbed.chainbotBinary]
            let first = try await testbed.exec(install)
            #expect(first.succeeded, "\(first.output)\(first.errorOutput)")
            let before = try await testbed.exec(["sh", "-c", Self.inventory])
            #expect(before.output.contains("/etc/chainbot d 755"), "\(before.output)")
            #expect(before.output.contains("/var/lib/chainbot d 700"))
            #expect(before.output.contains("/usr/local/bin/chainbot f 755"))

            let second = try await testbed.exec(install)
            #expect(second.succeeded)
            #expect(second.output.contains("chainbot install: unchanged"), "\(second.output)")
            let after = try await testbed.exec(["sh", "-c", Self.inventory])
            #expect(after.output == before.output, "the second run changed something")

            // The installed unit runs the installed binary with /etc/chainbot/manifests: `systemctl start`
            // returns after READY=1, when the first pass has applied them.
            _ = try await testbed.exec([
                "sh", "-c",
                "printf 'apiVersion: chainbot.dev/v1\\nkind: ConfigFile\\nmetadata: {name: motd}\\nspec: {path: /etc/motd.chainbot, content: hi}\\n' > /etc/chainbot/manifests/motd.yaml",
            ])
            let started = try await testbed.exec(["systemctl", "start", "chainbot-agent.service"])
            #expect(started.succeeded, "\(started.errorOutput)")
            #expect(try await testbed.exec(["cat", "/etc/motd.chainbot"]).output == "hi")
            let status = try await testbed.exec(["/usr/local/bin/chainbot", "status"])
            #expect(status.output.contains("agent: running"), "\(status.output)")
        }
    }
}
