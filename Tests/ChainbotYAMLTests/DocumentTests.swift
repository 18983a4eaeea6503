import ChainbotYAML
import Testing

@Suite struct DocumentTests {
    @Test func emptyInputHasNoDocuments() {
        let stream = parse("")
        #expect(stream.documents.isEmpty)
        #expect(stream.problems.isEmpty)
    }

    @Test func commentOnlyInputHasNoDocuments() {
        #expect(parse("# nothing here\n").documents.isEmpty)
    }

    @Test func documentMarkerAloneIsOneNullDocument() throws {
        let root = try document("---\n")
        #expect(root.value == .null)
    }

    @Test func everyDocumentOfAStreamIsReturnedInOrder() {
        let stream = parse("a: 1\n---\n- b\n---\nc\n...\n")
        #expect(stream.problems.isEmpty)
        #expect(stream.documents.count == 3)
        #expect(stream.documents.first?.keys == ["a"])
        #expect(stream.documents.dropFirst().first?.sequence?.first?.value == .string("b"))
        #expect(stream.documents.last?.value == .string("c"))
    }

    @Test func documentsBeforeAFatalProblemAreStillReturned() {
        let stream = parse("a: 1\n---\nb: 2\n---\nc: [1\n")
        #expect(stream.documents.count == 2)
        #expect(stream.problems.map(\.kind) == [.syntax])
        #expect(stream.problems.last?.isFatal == true)
    }

    @Test func mappingKeepsKeyOrder() throws {
        let root = try document("zeta: 1\nalpha: 2\nmid: 3\n")
        #expect(root.keys == ["zeta", "alpha", "mid"])
        #expect(root["alpha"]?.value == .int(2))
    }
}
