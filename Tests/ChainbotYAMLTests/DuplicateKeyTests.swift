import ChainbotYAML
import Testing

@Suite struct DuplicateKeyTests {
    @Test func duplicateKeyIsReportedAtTheSecondKeyWithTheFirst() throws {
        let text = MarkedText("1️⃣name: a\nport: 1\n2️⃣name: b\n")
        let stream = parse(text.text)
        let problem = try #require(stream.problems.first)
        #expect(stream.problems.count == 1)
        #expect(problem.kind == .duplicateKey)
        #expect(problem.message == "duplicate key 'name'")
        #expect(problem.mark == text[2])
        #expect(problem.length == 4)
        #expect(problem.related == [YAMLProblem.Related("first defined here", at: text[1])])
        #expect(!problem.isFatal)
    }

    @Test func firstValueIsKeptAndComposingContinues() throws {
        let stream = parse("name: a\nname: b\nafter: 1\n---\nnext: 2\n")
        #expect(stream.documents.count == 2)
        let root = try #require(stream.documents.first)
        #expect(root.keys == ["name", "after"])
        #expect(root["name"]?.value == .string("a"))
    }

    @Test func keysWithTheSameResolvedValueAreDuplicates() {
        #expect(parse("{1: a, 0x1: b}\n").problems.map(\.message) == ["duplicate key '0x1'"])
        #expect(parse("{~: a, null: b}\n").problems.map(\.kind) == [.duplicateKey])
    }

    @Test func stringAndIntegerKeysAreDistinct() {
        #expect(parse("{1: a, '1': b}\n").problems.isEmpty)
    }

    @Test func problemsComeInTextOrder() {
        let text = MarkedText("outer:\n  inner: 1\n  1️⃣inner: 2\n2️⃣outer: 3\nx: {y: 1, 3️⃣y: 2}\n")
        let stream = parse(text.text)
        #expect(stream.problems.map(\.mark) == [text[1], text[2], text[3]])
    }

    @Test func duplicateMergeKeyIsReported() {
        let stream = parse("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n")
        #expect(stream.problems.map(\.message) == ["duplicate key '<<'"])
    }

    @Test func complexKeysAreAllowed() throws {
        let root = try document("? [a, b]\n: 1\n? {c: d}\n: 2\n")
        #expect(root.mapping?.count == 2)
        #expect(root.mapping?.first?.key.sequence?.count == 2)
    }
}
