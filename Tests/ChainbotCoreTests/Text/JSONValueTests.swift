import ChainbotCore
import Testing

@Suite struct JSONValueTests {
    @Test func keepsKeyOrderAndEscapes() {
        let value = JSONValue.object([
            ("b", .int(1)), ("a", .string("q\"\n\u{1}")), ("c", .array([.null, .bool(true)])),
        ])
        #expect(value.serialized() == #"{"b":1,"a":"q\"\n\u0001","c":[null,true]}"#)
        #expect(JSONValue.array([]).serialized(pretty: true) == "[]")
        #expect(JSONValue.object([("k", .double(1.5))]).serialized(pretty: true) == "{\n  \"k\": 1.5\n}")
    }

    @Test func decodesStringEscapesAndKeepsMemberOrder() throws {
        let value = try JSONValue(parsing: #"{"b": "a\"\\\u00e9\ud83d\ude00", "a": [true, null, -1.5e3]}"#)

        #expect(value["b"]?.string == "a\"\\é😀")
        #expect(value.serialized() == #"{"b":"a\"\\é😀","a":[true,null,-1.5e3]}"#)
    }

    @Test func readsIntegersAsIntAndKeepsOtherNumbersAsWritten() throws {
        let value = try JSONValue(parsing: "[0, -7, 9223372036854775807, 9223372036854775808, 2.50, 1E-2]")

        #expect(
            value
                == .array([
                    .int(0), .int(-7), .int(.max), .number("9223372036854775808"), .number("2.50"), .number("1E-2"),
                ]))
        #expect(value.array?.map(\.int) == [0, -7, .max, nil, nil, nil])
        #expect(value.array?.map(\.double) == [0, -7, 9.223372036854775807e18, 9.223372036854775808e18, 2.5, 0.01])
    }

    @Test func writesWhatItParsedBackTheSameWay() throws {
        let text = #"{"nftables":[{"rule":{"expr":[{"match":{"left":1,"right":{"set":[22,"a\u001f"]}}}]}}],"x":{}}"#

        #expect(try JSONValue(parsing: text).serialized() == text)
        #expect(try JSONValue(parsing: Array(text.utf8)) == JSONValue(parsing: text))
    }

    @Test func accessorsAnswerNilForAnotherType() throws {
        let value = try JSONValue(parsing: #"{"s": "1", "i": 1, "b": true, "a": [], "o": {"k": null}, "s": "2"}"#)

        #expect(value["s"]?.string == "1")
        #expect(value["s"]?.int == nil)
        #expect(value["i"]?.int == 1)
        #expect(value["i"]?.string == nil)
        #expect(value["b"]?.bool == true)
        #expect(value["i"]?.bool == nil)
        #expect(value["a"]?.array == [])
        #expect(value["o"]?.object?.map(\.0) == ["k"])
        #expect(value["o"]?["k"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["k"] == nil)
        #expect(value.object?.count == 6)
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input"),
        ("[1,]", 3, "unexpected character"),
        (#"{"a":1,}"#, 7, "expected a key"),
        ("01", 1, "trailing characters"),
        ("+1", 0, "unexpected character"),
        ("1.", 2, "expected a digit"),
        (".5", 0, "unexpected character"),
        ("1e", 2, "expected a digit"),
        ("-", 1, "expected a digit"),
        ("-a", 1, "expected a digit"),
        ("NaN", 0, "unexpected character"),
        ("[1 2]", 3, "expected ',' or ']'"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        ("tru", 0, "unexpected character"),
        (#""a\x""#, 3, "unknown escape"),
        (#""\u+fff""#, 3, "bad \\u escape"),
        (#""\ud83d\u0041""#, 13, "invalid surrogate pair"),
        ("\"a\tb\"", 2, "control character in a string"),
        (#""abc"#, 4, "unterminated string"),
        ("// no\n1", 0, "unexpected character"),
        ("\u{FEFF}1", 0, "unexpected character"),
        ("1 1", 2, "trailing characters"),
    ])
    func rejectsWhatRFC8259DoesNotAllowAtItsByte(text: String, offset: Int, message: String) {
        #expect(throws: JSONSyntaxError(offset: offset, message: message)) { try JSONValue(parsing: text) }
    }

    @Test func rejectsInvalidUTF8InAStringAtTheString() {
        let bytes: [UInt8] = [0x5b, 0x22, 0x61, 0xff, 0x22, 0x5d]

        #expect(throws: JSONSyntaxError(offset: 1, message: "invalid UTF-8 in a string")) {
            try JSONValue(parsing: bytes)
        }
    }

    @Test func limitsNestingAndSize() throws {
        let limits = JSONValue.Limits(maxDepth: 3, maxBytes: 12)

        #expect(try JSONValue(parsing: "[[[1]]]", limits: limits) == .array([.array([.array([.int(1)])])]))
        #expect(throws: JSONSyntaxError(offset: 3, message: "nested too deeply")) {
            try JSONValue(parsing: "[[[[]]]]", limits: limits)
        }
        #expect(throws: JSONSyntaxError(offset: 12, message: "longer than 12 bytes")) {
            try JSONValue(parsing: #"["0123456789"]"#, limits: limits)
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError(offset: 64, message: "nested too deeply")) { try JSONValue(parsing: deep) }
    }

    @Test func readsValuesWrittenOneAfterAnother() throws {
        #expect(try JSONValue.sequence(parsing: Array(" \n".utf8)) == [])
        #expect(
            try JSONValue.sequence(parsing: Array("{\"a\":1}\n[]\"s\"{}-2 true".utf8))
                == [.object([("a", .int(1))]), .array([]), .string("s"), .object([]), .int(-2), .bool(true)])
        #expect(throws: JSONSyntaxError(offset: 4, message: "unexpected character")) {
            try JSONValue.sequence(parsing: Array("1\n2\n]".utf8))
        }
    }
}
