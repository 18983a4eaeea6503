import ChainbotCore
import ChainbotTestSupport
import Testing

/// An owner or group that does not exist is found when the plan is made: `diff` says so, `apply` does not
/// try the write, and the other resources still converge.
@Suite struct OwnerAtPlanTimeTests {
    static func image(_ work: TemporaryDirectory) -> (root: String, manifests: String) {
        work.write("img/etc/passwd", "root:x:0:0::/root:/bin/sh\nalex:x:1000:1000::/home/alex:/bin/sh\n")
        work.write("img/etc/group", "root:x:0:\nalex:x:1000:\n")
        let manifests = work.write(
            "m/files.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: a}
            spec: {path: /etc/a.conf, content: "x\\n", owner: bob, group: alex}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: c}
            spec: {path: /etc/c.conf, content: "z\\n", owner: alex, group: staff}
            ---
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: b}
            spec: {path: /etc/b.conf, content: "y\\n", owner: alex, group: alex}
            """)
        return (work.file("img"), manifests)
    }

    @Test func diffNamesTheMissingAccountAndApplyWritesOnlyTheOthers() async throws {
        let work = TemporaryDirectory("chainbot-owner")
        let (root, manifests) = Self.image(work)
        let arguments = ["--root", root, "-f", manifests, "--state", work.file("state.db")]
        let diff = await CLIHarness.run(["diff"] + arguments, environment: ["NO_COLOR": "1"])
        #expect(diff.stdout.contains("! ConfigFile/a: cannot plan"), "\(diff.stdout)")
        #expect(
            diff.stdout.contains("owner 'bob' of /etc/a.conf does not exist in the image \(root) (not in /etc/passwd)"),
            "\(diff.stdout)")
        #expect(diff.stdout.contains("group 'staff' of /etc/c.conf does not exist"), "\(diff.stdout)")
        #expect(diff.stdout.contains("+ ConfigFile/b will be created"), "\(diff.stdout)")

        let apply = await CLIHarness.run(["apply"] + arguments, environment: ["NO_COLOR": "1"])
        #expect(apply.status != 0)
        #expect(Fixtures.readText(root + "/etc/a.conf") == nil, "the write with an unknown owner was not tried")
        #expect(Fixtures.readText(root + "/etc/c.conf") == nil)
        #expect(Fixtures.readText(root + "/etc/b.conf") == "y\n", "the independent file converged")
    }
}
