import ChainbotYAML
import Testing

@Suite struct LimitTests {
    @Test func tenThousandNestedFlowSequencesAreTooDeep() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let stream = parse(text)
        #expect(stream.documents.isEmpty)
        #expect(stream.problems.map(\.kind) == [.tooDeep])
        #expect(stream.problems.first?.message == "nesting is deeper than 64 levels")
        // The 65th bracket is where the limit is crossed.
        #expect(stream.problems.first?.mark == Mark(line: 1, column: 65))
    }

    @Test func nestingAtTheLimitIsAccepted() {
        let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(parse(text).problems.isEmpty)
    }

    @Test func deepBlockMappingsAreTooDeep() {
        let text = (0..<100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
        #expect(parse(text).problems.map(\.kind) == [.tooDeep])
    }

    @Test func oneDocumentMoreThanTheLimitIsFatal() {
        let text = String(repeating: "--- a\n", count: 11)
        let stream = parse(text, limits: limits(maxDocuments: 10))
        #expect(stream.documents.count == 10)
        #expect(stream.problems.map(\.kind) == [.tooManyDocuments])
        #expect(stream.problems.first?.mark == Mark(line: 11, column: 1))
    }

    @Test func tenThousandDocumentsAreAcceptedAndOneMoreIsNot() {
        #expect(parse(String(repeating: "--- a\n", count: 10_000)).documents.count == 10_000)
        let stream = parse(String(repeating: "--- a\n", count: 10_001))
        #expect(stream.problems.map(\.kind) == [.tooManyDocuments])
        #expect(stream.documents.count == 10_000)
    }

    @Test func inputLargerThanTheLimitIsRejectedBeforeParsing() {
        let stream = parse("key: value\n", limits: limits(maxBytes: 10))
        #expect(stream.documents.isEmpty)
        #expect(stream.problems.map(\.kind) == [.fileTooLarge])
        #expect(stream.problems.first?.message == "manifest is 11 bytes; the limit is 10 bytes")
        #expect(parse("key: value", limits: limits(maxBytes: 10)).problems.isEmpty)
    }
}
