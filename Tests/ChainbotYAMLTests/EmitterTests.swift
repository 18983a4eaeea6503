import ChainbotYAML
import Testing

/// libyaml's emitter behind `YAMLEmitter`: block style, two-space indentation, no wrapping, quotes where asked
/// or where a plain scalar would read as something else.
@Suite struct EmitterTests {
    @Test func aMappingWithAListIsWrittenInBlockStyle() {
        let text = YAMLEmitter.text(of: [
            .mappingStart,
            .scalar("name", quoted: false), .scalar("web", quoted: false),
            .scalar("ports", quoted: false),
            .sequenceStart, .scalar("80", quoted: false), .scalar("443", quoted: false), .sequenceEnd,
            .mappingEnd,
        ])
        #expect(text == "name: web\nports:\n- 80\n- 443\n")
    }

    @Test func aQuotedScalarIsSingleQuotedAndAPlainOneIsNot() {
        let text = YAMLEmitter.text(of: [
            .mappingStart, .scalar("a", quoted: false), .scalar("on", quoted: true),
            .scalar("b", quoted: false), .scalar("on", quoted: false), .mappingEnd,
        ])
        #expect(text == "a: 'on'\nb: on\n")
    }

    @Test func aScalarThatCannotBePlainIsQuotedAndReadsBackTheSame() throws {
        let awkward = "x: y # not a comment"
        let text = try #require(
            YAMLEmitter.text(of: [
                .mappingStart, .scalar("k", quoted: false), .scalar(awkward, quoted: false), .mappingEnd,
            ])
        )
        #expect(text != "k: \(awkward)\n")
        #expect(try document(text)["k"]?.value == .string(awkward))
    }

    @Test func aLongScalarIsNotWrappedAndUnicodeIsKept() {
        let long = String(repeating: "word ", count: 40) + "é"
        let text = YAMLEmitter.text(of: [.sequenceStart, .scalar(long, quoted: false), .sequenceEnd])
        #expect(text == "- \(long)\n")
    }

    @Test func anEventSequenceThatIsNotWellFormedGivesNoText() {
        #expect(YAMLEmitter.text(of: [.mappingStart, .scalar("alone", quoted: false), .sequenceEnd]) == nil)
    }
}
