import ChainbotCore
import ChainbotTestSupport
import Testing

/// A resource that could not be compared is "not compared" in every output, never "unchanged": its sync
/// is Unknown, and a tool reading `diff -o json` must not take it as Synced.
@Suite struct NotComparedActionTests {
    @Test func anAgentWithoutALEXOSIsNotComparedInTheTextAndInJSON() async throws {
        let work = TemporaryDirectory("chainbot-not-compared")
        let manifests = work.write(
            "m/agent.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: Agent
            metadata: {name: helper}
            spec: {id: helper, displayName: Helper, role: assistant, version: "1.0.0", port: 9100}
            """)
        let arguments = ["diff", "-f", manifests, "--state", work.file("state.db"), "--root", work.file("img")]
        work.write("img/etc/.keep", "")
        let text = await CLIHarness.run(arguments, environment: ["NO_COLOR": "1", "CHAINBOT_ALEXOS_URL": ""])
        #expect(text.stdout.contains("? Agent/helper could not be compared in full (sync Unknown)"), "\(text.stdout)")
        #expect(text.stdout.contains("1 not compared in full, 0 unchanged"), "\(text.stdout)")
        let json = await CLIHarness.run(arguments + ["-o", "json"], environment: ["CHAINBOT_ALEXOS_URL": ""])
        let document = try JSONValue(parsing: json.stdout)
        let agent = try #require(document["resources"]?.array?.first { $0["resource"]?.string == "Agent/helper" })
        #expect(agent["action"]?.string == "notCompared", "\(agent)")
        #expect(agent["unobserved"]?["version"]?.string?.contains("no ALEX OS URL configured") == true, "\(agent)")
    }
}
