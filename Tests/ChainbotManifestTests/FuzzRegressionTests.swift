import ChainbotCore
import ChainbotManifest
import ChainbotTestSupport
import Testing

/// Inputs the manifest fuzzer found (contrib/fuzz/regressions/), pinned so they stay fixed.
@Suite struct FuzzRegressionTests {
    @Test func aNullSpecWithAnExplicitTagIsMissingNotSilentlyEmpty() {
        let set = ManifestLoader().load(
            text: "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata:\n  name: a\nspec: !!null\n", path: "s.yaml")
        #expect(!set.isValid)
        #expect(set.diagnostics.map(\.code) == [.missingField])
        #expect(set.diagnostics.first?.message == "missing required field 'spec' in Service 'a'")
    }

    @Test(arguments: [("\r", "CR"), ("\r\n", "CRLF"), ("\u{85}", "NEL"), ("\u{2028}", "LS")])
    func theSourceExcerptFollowsLibyamlsLineBreaks(_ lineBreak: String, _ name: String) {
        let text = ["apiVersion: chainbot.dev/v1", "kind: Servce", "metadata:", "  name: a", "spec: {}", ""]
            .joined(separator: lineBreak)
        let set = ManifestLoader().load(text: text, path: "k.yaml")
        let rendered = DiagnosticRenderer(files: set.files, colored: false).render(set.diagnostics)
        #expect(rendered.hasPrefix("k.yaml:2:7: error: unknown kind 'Servce'"), "\(name)")
        #expect(rendered.contains(" 2 | kind: Servce\n   |       ^~~~~~\n"), "\(name)")
    }

    @Test func everyStoredRegressionInputLoadsWithoutViolatingTheLoadersInvariants() throws {
        let directory = Fixtures.path("contrib/fuzz/regressions")
        let inputs = Fixtures.list(directory).filter { $0.hasSuffix(".yaml") }
        try #require(!inputs.isEmpty, "no regression inputs in \(directory)")
        for name in inputs {
            let set = ManifestLoader().load([directory + "/" + name])
            #expect(set.diagnostics == set.diagnostics.sortedForOutput(), "\(name)")
            if set.isValid { #expect(!set.resources.isEmpty, "\(name): valid but no resources") }
            _ = DiagnosticRenderer(files: set.files, colored: false).render(set.diagnostics)
        }
    }
}
