import ChainbotCore
import ChainbotManifest
import Testing

/// The text renderer: excerpts from each file's line index, and a cap on how many are printed.
@Suite struct DiagnosticRendererTests {
    static func manifest(errors: Int) -> String {
        (0..<errors).map {
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata:\n  name: s\($0)\nspec:\n  exec: /bin/true\n  bogus: 1\n"
        }
        .joined(separator: "---\n")
    }

    @Test func printsTheFirstHundredDiagnosticsThenCountsTheRestExactly() {
        let set = ManifestLoader().load(text: Self.manifest(errors: 150), path: "m.yaml")
        #expect(set.diagnostics.count == 150)
        let text = DiagnosticRenderer(files: set.files, colored: false).render(set.diagnostics)
        #expect(text.components(separatedBy: ": error: ").count - 1 == 100)
        #expect(text.hasSuffix("\n… and 50 more errors (use -o json for all)\n150 errors generated.\n"))
        // The hundredth is the last one printed, with its excerpt on line 7 of its document.
        #expect(
            text.contains(
                "m.yaml:799:3: error: unknown field 'bogus' in Service 's99' [unknown-field]\n 799 |   bogus: 1\n"))
        #expect(!text.contains("'s100'"))
    }

    @Test func aHundredOrFewerArePrintedWithoutTheMoreLine() {
        let set = ManifestLoader().load(text: Self.manifest(errors: 100), path: "m.yaml")
        let text = DiagnosticRenderer(files: set.files, colored: false).render(set.diagnostics)
        #expect(!text.contains("more error"))
        #expect(text.hasSuffix("   |   ^~~~~\n100 errors generated.\n"))
    }
}
