import ChainbotCore
import ChainbotTestSupport
import Testing

/// `rollback` pins unless `--no-pin`; `pin REV --reason` and `unpin` set and end a pin; `apply` stops at one.
@Suite struct PinCLITests {
    static func manifest(_ text: String) -> String {
        """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: motd}
        spec: {path: /etc/motd, content: "\(text)\\n"}
        """
    }

    @Test func rollbackPinsUnlessToldNotToAndAPinHoldsApplyUntilUnpinned() async throws {
        let work = TemporaryDirectory("chainbot-pin")
        work.write("image/etc/.keep", "")
        let root = work.file("image")
        let state = work.file("state.db")
        let manifests = work.write("manifests/motd.yaml", Self.manifest("first"))
        let common = ["--root", root, "-f", manifests, "--state", state]
        #expect(await CLIHarness.run(["apply"] + common).status == 0)
        work.write("manifests/motd.yaml", Self.manifest("second"))
        #expect(await CLIHarness.run(["apply"] + common).status == 0)

        let unpinned = await CLIHarness.run(["rollback", "1", "--no-pin", "--root", root, "--state", state])
        #expect(unpinned.status == 0, "\(unpinned.stderr)")
        #expect(Fixtures.readText(root + "/etc/motd") == "first\n")
        #expect(!unpinned.stderr.contains("pinned to revision"))
        let free = await CLIHarness.run(["apply"] + common)
        #expect(free.status == 0, "without a pin the manifests apply: \(free.stderr)")
        #expect(Fixtures.readText(root + "/etc/motd") == "second\n")

        let pin = await CLIHarness.run(["pin", "1", "--reason", "bad release", "--state", state])
        #expect(pin.status == 0, "\(pin.stderr)")
        let status = await CLIHarness.run(["status", "--state", state, "-o", "json"])
        #expect(status.stdout.contains("\"reason\": \"bad release\""), "\(status.stdout)")
        let refused = await CLIHarness.run(["apply"] + common)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the host is pinned to revision 1"), "\(refused.stderr)")
        #expect(refused.stderr.contains(": bad release;"))
        let forced = await CLIHarness.run(["apply", "--force"] + common)
        #expect(forced.status == 0, "--force applies the manifests once")

        #expect(await CLIHarness.run(["unpin", "--state", state]).status == 0)
        let again = await CLIHarness.run(["unpin", "--state", state])
        #expect(again.status == 2)
        #expect(again.stderr.contains("nothing is pinned"))
        let missing = await CLIHarness.run(["pin", "99", "--state", state])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no revision 99"), "\(missing.stderr)")
    }
}
