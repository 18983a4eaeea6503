import ChainbotYAML
import Testing

@Suite struct ScalarStyleTagTests {
    @Test func quotedAndBlockScalarsAreAlwaysStrings() throws {
        let root = try document("a: '123'\nb: \"true\"\nc: |\n  null\nd: >\n  1.5\ne: \"\"\n")
        #expect(root["a"]?.scalar == Scalar(text: "123", style: .singleQuoted, value: .string("123")))
        #expect(root["b"]?.scalar == Scalar(text: "true", style: .doubleQuoted, value: .string("true")))
        #expect(root["c"]?.scalar == Scalar(text: "null\n", style: .literal, value: .string("null\n")))
        #expect(root["d"]?.scalar == Scalar(text: "1.5\n", style: .folded, value: .string("1.5\n")))
        #expect(root["e"]?.value == .string(""))
    }

    @Test func doubleQuotedEscapesAreDecoded() throws {
        let root = try document("a: \"tab\\there \\u00e9\"\n")
        #expect(root["a"]?.value == .string("tab\there é"))
    }

    @Test func nonSpecificTagMakesAPlainScalarAString() throws {
        let root = try document("- ! 12\n- ! true\n- ! [1]\n")
        let items = try #require(root.sequence)
        #expect(items[0].value == .string("12"))
        #expect(items[0].tag == "!")
        #expect(items[1].value == .string("true"))
        #expect(items[2].sequence?.first?.value == .int(1))
        #expect(items[2].tag == "!")
    }

    @Test func strTagKeepsDigitsAsAString() throws {
        let root = try document("port: !!str 123\n")
        #expect(root["port"]?.value == .string("123"))
        #expect(root["port"]?.tag == "tag:yaml.org,2002:str")
    }

    @Test func coreTagsResolveTheirType() throws {
        let root = try document(
            "i: !!int \"0x10\"\nf: !!float 1\nb: !!bool 'false'\nn: !!null ''\ns: !!seq [a]\nm: !!map {a: 1}\n")
        #expect(root["i"]?.value == .int(16))
        #expect(root["f"]?.value == .float(1))
        #expect(root["b"]?.value == .bool(false))
        #expect(root["n"]?.value == .null)
        #expect(root["s"]?.sequence?.count == 1)
        #expect(root["m"]?.mapping?.count == 1)
    }

    @Test func invalidIntTagIsAFatalSyntaxProblem() {
        let text = MarkedText("a: 1\nb: 1️⃣!!int abc\n")
        let stream = parse(text.text)
        #expect(stream.documents.isEmpty)
        let problem = stream.problems.last
        #expect(problem?.kind == .syntax)
        #expect(problem?.message == "'abc' is not a valid !!int")
        #expect(problem?.mark == text[1])
        #expect(problem?.isFatal == true)
    }

    @Test func collectionTagOnTheWrongKindIsASyntaxProblem() {
        #expect(parse("a: !!map [1]\n").problems.map(\.message) == ["a sequence cannot be tagged !!map"])
        #expect(parse("a: !!seq x\n").problems.map(\.message) == ["a scalar cannot be tagged !!seq"])
    }

    @Test func unknownTagsAreKeptAndResolveByKind() throws {
        let root = try document(
            "%TAG !e! tag:example.com,2000:\n---\na: !local 12\nb: !e!thing 1.5\nc: !!binary aGk=\n")
        #expect(root["a"]?.tag == "!local")
        #expect(root["a"]?.value == .string("12"))
        #expect(root["b"]?.tag == "tag:example.com,2000:thing")
        #expect(root["b"]?.value == .string("1.5"))
        #expect(root["c"]?.tag == "tag:yaml.org,2002:binary")
        #expect(root["c"]?.value == .string("aGk="))
    }

    @Test func untaggedNodesHaveNoTag() throws {
        let root = try document("a: [1]\n")
        #expect(root.tag == nil)
        #expect(root["a"]?.tag == nil)
    }
}
