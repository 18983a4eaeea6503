import ChainbotCore
import ChainbotTestSupport
import Testing

/// Under `--root IMG` a `secretRef` is read from the image (where the Pi's agent reads it after boot),
/// never from the machine chainbot runs on, and a missing one says where it was looked for.
@Suite struct SecretUnderRootTests {
    static func manifest(_ work: TemporaryDirectory) -> String {
        work.write(
            "manifests/app.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-env}
            spec:
              path: /etc/app/app.env
              mode: "0600"
              env:
                API_TOKEN: {secretRef: {file: /etc/chainbot/secrets/app.env, key: API_TOKEN}}
            """)
    }

    @Test func theImagesSecretFileIsTheOneRendered() async throws {
        let work = TemporaryDirectory("chainbot-secret-root")
        let root = work.file("image")
        work.write("image/etc/chainbot/secrets/app.env", "API_TOKEN=from-the-image\n")
        let arguments = ["--root", root, "-f", Self.manifest(work), "--state", work.file("state.db")]
        let apply = await CLIHarness.run(["apply"] + arguments, environment: ["NO_COLOR": "1"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(Fixtures.readText(root + "/etc/app/app.env") == "API_TOKEN=from-the-image\n")
        #expect(!apply.stdout.contains("from-the-image") && !apply.stderr.contains("from-the-image"))
    }

    @Test func aSecretMissingFromTheImageIsAnErrorNamingWhereItWasLookedFor() async throws {
        let work = TemporaryDirectory("chainbot-secret-root")
        let root = work.file("image")
        work.write("image/etc/.keep", "")
        let arguments = ["--root", root, "-f", Self.manifest(work), "--state", work.file("state.db")]
        let diff = await CLIHarness.run(["diff"] + arguments, environment: ["NO_COLOR": "1"])
        #expect(diff.status != 0)
        let looked = "looked in \(root)/etc/chainbot/secrets/app.env: under --root, secrets are read from the image"
        #expect((diff.stdout + diff.stderr).contains(looked), "\(diff.stdout)\(diff.stderr)")
        #expect(Fixtures.readText(root + "/etc/app/app.env") == nil, "nothing written")
    }
}
