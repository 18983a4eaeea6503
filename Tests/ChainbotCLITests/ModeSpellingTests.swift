import ChainbotCore
import ChainbotTestSupport
import Testing

/// `explain` and the validator agree on how a file mode is written: every spelling `explain` offers is
/// accepted, and the ones it warns about are refused.
@Suite struct ModeSpellingTests {
    static func validate(mode: String) async -> CLIRun {
        let work = TemporaryDirectory("chainbot-mode")
        let manifests = work.write(
            "m/a.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: a}
            spec: {path: /etc/a, content: "x", mode: \(mode)}
            """)
        return await CLIHarness.run(["validate", manifests], environment: ["NO_COLOR": "1"])
    }

    @Test func everySpellingThatExplainOffersIsValid() async throws {
        let explain = await CLIHarness.run(["explain", "ConfigFile.mode"])
        let code = await CLIHarness.run(["explain", "invalid-mode"])
        // The spellings `explain` quotes: '0640', '640', '0o640' and 0o640.
        for spelling in ["'0640'", "'640'", "'0o640'", "0o640"] {
            #expect(explain.stdout.contains(spelling), "explain ConfigFile.mode: \(explain.stdout)")
            let run = await Self.validate(mode: spelling)
            #expect(run.status == 0, "mode: \(spelling): \(run.stderr)")
        }
        for spelling in ["'0640'", "0o640"] { #expect(code.stdout.contains(spelling), "\(code.stdout)") }
    }

    @Test(arguments: ["0640", "'u=rw'", "'0o99'", "'+644'", "'0888'"])
    func aModeThatIsNotOctalIsRefused(_ spelling: String) async throws {
        let run = await Self.validate(mode: spelling)
        #expect(run.status == 65, "mode: \(spelling)")
        #expect(run.stderr.contains("[invalid-mode]"), "\(run.stderr)")
    }
}
