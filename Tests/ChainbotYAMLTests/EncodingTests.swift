import ChainbotYAML
import Testing

@Suite struct EncodingTests {
    @Test func invalidUTF8IsRejectedWithItsMark() throws {
        let bytes = Array("a: 1\nb: x".utf8) + [0xFF] + Array("y\n".utf8)
        let stream = YAMLParser.parse(bytes)
        let problem = try #require(stream.problems.last)
        #expect(stream.problems.count == 1)
        #expect(problem.kind == .invalidEncoding)
        #expect(problem.message == "manifest is not valid UTF-8 (invalid leading UTF-8 octet, byte 0xFF)")
        #expect(problem.mark == Mark(line: 2, column: 5))
    }

    @Test func truncatedUTF8SequenceIsRejected() {
        let stream = YAMLParser.parse(Array("é: ".utf8) + [0xE2, 0x82])
        #expect(stream.problems.map(\.kind) == [.invalidEncoding])
        #expect(stream.problems.first?.mark == Mark(line: 1, column: 4))
    }

    @Test(arguments: [[0xFF, 0xFE, 0x61, 0x00], [0xFE, 0xFF, 0x00, 0x61], [0x61, 0x00, 0x3A, 0x00]] as [[UInt8]])
    func utf16IsRejected(bytes: [UInt8]) {
        let stream = YAMLParser.parse(bytes)
        #expect(stream.problems.map(\.kind) == [.invalidEncoding])
        #expect(stream.problems.first?.message == "manifest is UTF-16 encoded; only UTF-8 is read")
        #expect(stream.problems.first?.mark == Mark(line: 1, column: 1))
    }

    @Test func utf32IsRejected() {
        let stream = YAMLParser.parse([0xFF, 0xFE, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00])
        #expect(stream.problems.first?.message == "manifest is UTF-32 encoded; only UTF-8 is read")
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let stream = YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8))
        #expect(stream.problems.isEmpty)
        #expect(stream.documents.first?["a"]?.value == .int(1))
        #expect(stream.documents.first?.start == Mark(line: 1, column: 1))
    }

    @Test func controlCharacterIsASyntaxProblem() {
        let stream = YAMLParser.parse(Array("a: b".utf8) + [0x01])
        #expect(stream.problems.map(\.kind) == [.syntax])
        #expect(
            stream.problems.first?.message
                == "character U+0001 is not allowed in YAML (control characters are not allowed)")
        #expect(stream.problems.first?.mark == Mark(line: 1, column: 5))
    }
}
