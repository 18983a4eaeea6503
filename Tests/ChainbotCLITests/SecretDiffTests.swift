import ChainbotCore
import ChainbotTestSupport
import Testing

/// What was rendered from a secret stays masked in every before/after, whatever the new form is.
@Suite struct SecretDiffTests {
    static let secret = "s3cr3t-Value-7f1c"

    @Test func aFileOnceRenderedFromSecretsIsShownByDigestWhenItBecomesInlineContent() async throws {
        let work = TemporaryDirectory("chainbot-secret-diff")
        let root = work.file("image")
        work.write("image/etc/.keep", "")
        // Under --root the secret is read from the image, where the Pi's own agent will read it too.
        work.write("image/etc/chainbot/secrets/app.env", "API_TOKEN=\(Self.secret)\n")
        let secrets = "/etc/chainbot/secrets/app.env"
        let manifests = work.write(
            "manifests/app.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-env}
            spec:
              path: /etc/app.env
              mode: "0600"
              env:
                MODE: production
                API_TOKEN: {secretRef: {file: \(secrets), key: API_TOKEN}}
            """)
        let common = ["--root", root, "-f", manifests, "--state", work.file("state.db")]
        let apply = await CLIHarness.run(["apply"] + common, environment: ["NO_COLOR": "1"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(Fixtures.readText(root + "/etc/app.env")?.contains(Self.secret) == true)

        work.write(
            "manifests/app.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app-env}
            spec: {path: /etc/app.env, mode: "0600", content: "MODE=staging\\n"}
            """)
        let text = await CLIHarness.run(["diff"] + common, environment: ["NO_COLOR": "1"])
        let json = await CLIHarness.run(["diff", "-o", "json"] + common)
        #expect(text.status == 1)
        #expect(text.stdout.contains("content: sha256:"), "\(text.stdout)")
        for output in [text, json] {
            #expect(!output.stdout.contains(Self.secret) && !output.stderr.contains(Self.secret), "\(output.stdout)")
            #expect(!output.stdout.contains("MODE=production"), "no line of the secret-bearing file is shown")
        }
        let applied = await CLIHarness.run(["apply"] + common)
        #expect(applied.status == 0)
        #expect(!applied.stdout.contains(Self.secret) && !applied.stderr.contains(Self.secret))
        #expect(Fixtures.readText(root + "/etc/app.env") == "MODE=staging\n")
    }
}
