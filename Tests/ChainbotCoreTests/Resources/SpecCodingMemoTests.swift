import ChainbotCore
import Testing

/// The memos that stand in for JSON decoding and encoding of texts read again each pass: a hit is what
/// decoding or encoding gives, a text that does not decode is not kept, a full memo starts over, and a big
/// text is decoded each time instead of being kept twice.
@Suite struct SpecCodingMemoTests {
    static let specs: [ResourceSpec] = [
        .configFile(ConfigFileSpec(path: "/etc/a.conf", content: .text("a\n"))),
        .configFile(ConfigFileSpec(path: "/etc/b.conf", content: .text("b\n"))),
    ]

    @Test func aRememberedDecodeIsWhatDecodingGivesForEachText() {
        let memo = SpecCoding.DecodeMemo<ResourceSpec>()
        let texts = Self.specs.map(SpecCoding.encode)
        for _ in 0..<3 {
            #expect(texts.map(memo.decode) == Self.specs)
        }
        #expect(memo.count == 2)
        #expect(memo.decode("{\"no\": ") == nil)
        #expect(memo.count == 2, "a text that does not decode is not kept")
    }

    @Test func aFullMemoStartsOverAndABigTextIsNotKept() {
        let memo = SpecCoding.DecodeMemo<[Int]>(limit: 3)
        for value in 0..<3 { #expect(memo.decode("[\(value)]") == [value]) }
        #expect(memo.count == 3)
        #expect(memo.decode("[9]") == [9])
        #expect(memo.count == 1)
        let big =
            "[" + Array(repeating: "1", count: SpecCoding.DecodeMemo<[Int]>.largest / 2).joined(separator: ",") + "]"
        #expect(memo.decode(big)?.count == SpecCoding.DecodeMemo<[Int]>.largest / 2)
        #expect(memo.count == 1)
    }

    @Test func aRememberedEncodeIsWhatEncodingGivesForEachValue() {
        let memo = SpecCoding.EncodeMemo<ResourceSpec>(limit: 8)
        for _ in 0..<3 {
            #expect(Self.specs.map(memo.encode) == Self.specs.map(SpecCoding.encode))
        }
        #expect(memo.count == 2)
        #expect(memo.encode(Self.specs[0]) != memo.encode(Self.specs[1]))
    }
}
