import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// `validate -o json` on a valid set says what it found, like the text summary (issue 18).
struct ValidateJSONSummaryTests {
    @Test func aValidSetIsAnObjectWithCountsPerKindAndTheGeneration() async throws {
        let manifests = Fixtures.path("manifests")
        let text = await CLIHarness.run(["validate", manifests])
        let run = await CLIHarness.run(["validate", "-o", "json", manifests])

        #expect(run.status == 0, "\(run.stderr)")
        let document = try JSONValue(parsing: run.stdout)
        #expect(document["schemaVersion"]?.int == 1)
        #expect(document["valid"]?.bool == true)
        let generation = try #require(document["generation"]?.string)
        #expect(text.stdout.hasSuffix("generation \(generation)\n"), "\(text.stdout)")
        let resources = try #require(document["resources"]?.int)
        let files = try #require(document["files"]?.int)
        let kinds = try #require(document["kinds"]?.object)
        #expect(kinds.compactMap(\.1.int).reduce(0, +) == resources)
        let summary = kinds.map { "\($0.1.int ?? 0) \($0.0)" }.joined(separator: ", ")
        #expect(
            text.stdout.hasPrefix(
                "\(resources) resource\(resources == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s") valid: \(summary)\n"
            ), "\(text.stdout) vs \(run.stdout)")
        #expect(document["diagnostics"]?.array != nil)
    }

}
