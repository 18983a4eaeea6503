import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// Every case under fixtures/manifests/invalid/ is validated and its output compared, whole, with the
/// case's `expected.txt` (set CHAINBOT_UPDATE_GOLDEN=1 to rewrite them, then review the diff).
@Suite struct InvalidManifestFixtureTests {
    static let root = Fixtures.path("fixtures/manifests/invalid")
    static let cases = Fixtures.list(root).filter { !$0.hasSuffix(".md") }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func validateReportsExactlyTheExpectedDiagnostics(_ name: String) async throws {
        let directory = Self.root + "/" + name
        let run = await CLIHarness.run(["validate", directory])
        let shown = run.stderr.replacing(Self.root + "/", with: "")
        let expectedPath = directory + "/expected.txt"
        if CLIHarnessEnvironment.updateGolden {
            Fixtures.write(expectedPath, shown)
        }
        let expected = try #require(Fixtures.readText(expectedPath), "missing \(expectedPath)")
        #expect(shown == expected)
        let status: Int32 = expected.contains("[io-error]") ? 2 : (expected.contains(": error: ") ? 65 : 0)
        #expect(run.status == status)
        #expect(status == 0 || run.stdout.isEmpty)
    }

    @Test(arguments: cases)
    func jsonOutputCarriesTheSameCodesAsText(_ name: String) async throws {
        let directory = Self.root + "/" + name
        let text = await CLIHarness.run(["validate", directory])
        let json = await CLIHarness.run(["validate", "-o", "json", directory])
        #expect(json.status == text.status)
        let textCodes = Self.codes(in: text.stderr)
        let jsonCodes = json.stdout.split(separator: "\n").compactMap { line -> String? in
            let marker = "\"code\": \""
            guard let range = line.firstRange(of: marker) else { return nil }
            let rest: Substring = line[range.upperBound..<line.endIndex]
            return String(rest.prefix { $0 != "\"" })
        }
        #expect(jsonCodes == textCodes)
        // A valid set is a summary holding its warnings; an invalid one a document of its diagnostics.
        let document = try JSONValue(parsing: json.stdout)
        #expect(document["schemaVersion"]?.int == 1)
        #expect(document["valid"]?.bool == (json.status == 0))
    }

    /// Codes the fixtures cannot show (limits too large for a fixture file); each is covered by a unit test.
    static let coveredElsewhere: Set<DiagnosticCode> = [.fileTooLarge, .tooManyDocuments, .tooManyFiles]

    @Test func everyDiagnosticCodeHasAFixture() throws {
        var seen: Set<String> = []
        for name in Self.cases {
            let expected = Fixtures.readText(Self.root + "/" + name + "/expected.txt") ?? ""
            seen.formUnion(Self.codes(in: expected))
        }
        let missing = DiagnosticCode.allCases.filter {
            !seen.contains($0.rawValue) && !Self.coveredElsewhere.contains($0)
        }
        #expect(missing.isEmpty, "no fixture shows: \(missing.map(\.rawValue))")
    }

    static func codes(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains(": error: ") || line.contains(": warning: "), line.hasSuffix("]"),
                let open = line.lastIndex(of: "[")
            else { return nil }
            return String(line[line.index(after: open)..<line.index(before: line.endIndex)])
        }
    }
}

enum CLIHarnessEnvironment {
    static var updateGolden: Bool {
        guard let value = getenv("CHAINBOT_UPDATE_GOLDEN") else { return false }
        return String(cString: value) == "1"
    }
}
