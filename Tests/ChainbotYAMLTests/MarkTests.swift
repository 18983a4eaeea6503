import ChainbotYAML
import Testing

@Suite struct MarkTests {
    @Test func firstCharacterIsLineOneColumnOne() throws {
        let root = try document("key: value\n")
        #expect(root.start == Mark(line: 1, column: 1))
        let pair = try #require(root.mapping?.first)
        #expect(pair.key.start == Mark(line: 1, column: 1))
        #expect(pair.key.end == Mark(line: 1, column: 4))
        #expect(pair.value.start == Mark(line: 1, column: 6))
        #expect(pair.value.end == Mark(line: 1, column: 11))
    }

    @Test func marksFollowLinesAndIndentation() throws {
        let text = MarkedText("services:\n  1️⃣web:\n    port: 2️⃣8080\n  3️⃣db: [4️⃣a, b]\n")
        let root = try document(text.text)
        let services = try #require(root["services"]?.mapping)
        #expect(services.first?.key.start == text[1])
        #expect(services.first?.value["port"]?.start == text[2])
        #expect(services.last?.key.start == text[3])
        #expect(services.last?.value.sequence?.first?.start == text[4])
    }

    @Test func columnsCountUnicodeScalarsNotBytes() throws {
        let text = MarkedText("ключ: 1️⃣значение\n")
        let root = try document(text.text)
        #expect(root["ключ"]?.start == text[1])
    }

    @Test func byteOrderMarkDoesNotShiftColumns() throws {
        let text = MarkedText("1️⃣a: 1\n2️⃣b: 3️⃣2\n")
        let stream = YAMLParser.parse([0xEF, 0xBB, 0xBF] + text.bytes)
        #expect(stream.problems.isEmpty)
        let root = try #require(stream.documents.first)
        #expect(root.mapping?.first?.key.start == text[1])
        #expect(root.mapping?.last?.key.start == text[2])
        #expect(root["b"]?.start == text[3])
        #expect(root["b"]?.value == .int(2))
    }

    @Test func collectionEndsWhereItsTextEnds() throws {
        let root = try document("[a, b]\n")
        #expect(root.start == Mark(line: 1, column: 1))
        #expect(root.end == Mark(line: 1, column: 7))
    }

    @Test func problemMarksAreOneBased() {
        let text = MarkedText("a: 1\nb: 1️⃣*nowhere\n")
        let stream = parse(text.text)
        #expect(stream.problems.first?.mark == text[1])
        #expect(stream.problems.first?.length == 8)
    }
}
