import ChainbotCore
import ChainbotTestSupport
import Testing

/// `chainbot suspend` holds a resource for `apply` as for the agent, on real files in an image root.
@Suite struct HoldCLITests {
    static func manifest(_ text: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd, content: "\(text)\\n"}
        """
    }

    @Test func applyLeavesAHeldResourceAloneUntilForcedOrResumed() async throws {
        let work = TemporaryDirectory("chainbot-hold")
        let root = work.file("image")
        work.write("image/etc/.keep", "")
        let manifests = work.write("manifests/motd.yaml", Self.manifest("first"))
        let common = ["-f", manifests, "--state", work.file("state.db")]
        let environment = ["NO_COLOR": "1"]

        let first = await CLIHarness.run(["apply", "--root", root] + common, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Fixtures.readText(root + "/etc/motd") == "first\n")

        let unknown = await CLIHarness.run(["suspend", "ConfigFile/motdd", "--for", "1h"] + common)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("ConfigFile/motdd is not in the manifests"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("did you mean ConfigFile/motd?"))
        let suspend = await CLIHarness.run(
            ["suspend", "ConfigFile/motd", "--for", "1h", "--reason", "editing by hand"] + common)
        #expect(suspend.status == 0, "\(suspend.stderr)")

        work.write("manifests/motd.yaml", Self.manifest("second"))
        let diff = await CLIHarness.run(["diff", "--root", root] + common, environment: environment)
        #expect(diff.status == 1)
        #expect(
            diff.stdout.contains("‖ ConfigFile/motd is held (suspended until "), "\(diff.stdout)")
        #expect(diff.stdout.contains("(editing by hand), has drifted): reported, not changed"))
        let held = await CLIHarness.run(["apply", "--root", root] + common, environment: environment)
        #expect(held.status == 0, "\(held.stderr)")
        #expect(held.stdout.contains("1 held (chainbot resume, or --force)."), "\(held.stdout)")
        #expect(Fixtures.readText(root + "/etc/motd") == "first\n", "the hold holds")
        let json = await CLIHarness.run(["diff", "--root", root, "-o", "json"] + common, environment: environment)
        #expect(json.stdout.contains("\"held\": \"suspended until "), "\(json.stdout)")

        // status and get read the state file of an image as apply writes it (--root, default state path).
        let image = work.file("image2")
        work.write("image2/etc/.keep", "")
        #expect(await CLIHarness.run(["apply", "--root", image, "-f", manifests]).status == 0)
        let status = await CLIHarness.run(["status", "--root", image])
        #expect(status.stdout.contains("ConfigFile/motd"), "\(status.stdout)\(status.stderr)")
        let get = await CLIHarness.run(["get", "ConfigFile/motd", "--root", image])
        #expect(get.status == 0, "\(get.stderr)")

        let forced = await CLIHarness.run(["apply", "--root", root, "--force"] + common, environment: environment)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(Fixtures.readText(root + "/etc/motd") == "second\n")

        work.write("manifests/motd.yaml", Self.manifest("third"))
        #expect(await CLIHarness.run(["resume", "ConfigFile/motd", "--state", work.file("state.db")]).status == 0)
        let resumed = await CLIHarness.run(["apply", "--root", root] + common, environment: environment)
        #expect(resumed.status == 0)
        #expect(Fixtures.readText(root + "/etc/motd") == "third\n")
    }
}
