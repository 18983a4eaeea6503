import ChainbotYAML
import Testing

@Suite struct SyntaxProblemTests {
    @Test func tabIndentationIsReportedAsSuch() throws {
        let text = MarkedText("service:\n1️⃣\tname: web\n")
        let problem = try #require(parse(text.text).problems.last)
        #expect(problem.kind == .tabIndentation)
        #expect(problem.message == "tabs are not allowed for indentation; use spaces")
        #expect(problem.mark == text[1])
    }

    @Test func tabAfterSpacesInIndentationIsReportedAsSuch() {
        let text = MarkedText("a:\n  b: 1\n  1️⃣\tc: 2\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.tabIndentation])
        #expect(stream.problems.first?.mark == text[1])
    }

    @Test(arguments: ["- 1️⃣\ta\n", "a:\n  - 1️⃣\tb\n", "? a\n:1️⃣\tb\n"])
    func tabAfterABlockIndicatorIsReportedAsIndentation(marked: String) {
        let text = MarkedText(marked)
        let stream = parse(text.text)
        #expect(stream.problems.map(\.kind) == [.tabIndentation])
        #expect(stream.problems.first?.mark == text[1])
    }

    @Test func tabInsideALineIsNotIndentation() throws {
        let root = try document("a:\tb\n")
        #expect(root["a"]?.value == .string("b"))
    }

    @Test func libyamlProblemTextIsTheMessage() throws {
        let text = MarkedText("key: value\n  bad1️⃣: indent\n")
        let problem = try #require(parse(text.text).problems.last)
        #expect(problem.kind == .syntax)
        #expect(problem.message == "mapping values are not allowed in this context")
        #expect(problem.mark == text[1])
    }

    @Test func unclosedFlowSequenceNamesWhereItStarted() throws {
        let text = MarkedText("a: 1️⃣[1, 2\nb: 3\n")
        let problem = try #require(parse(text.text).problems.last)
        #expect(problem.kind == .syntax)
        #expect(problem.message.hasPrefix("did not find expected ',' or ']' while parsing a flow sequence"))
        #expect(problem.related.first?.mark == text[1])
    }

    @Test func nonFatalProblemsComeBeforeTheFatalOne() {
        let stream = parse("a: 1\na: 2\nb: [\n")
        #expect(stream.problems.map(\.kind) == [.duplicateKey, .syntax])
        #expect(stream.problems.map(\.isFatal) == [false, true])
    }
}
