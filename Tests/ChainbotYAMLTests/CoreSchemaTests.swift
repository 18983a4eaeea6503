import ChainbotYAML
import Testing

@Suite struct CoreSchemaTests {
    static let table: [(String, ScalarValue)] = [
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("yes", .string("yes")), ("no", .string("no")), ("NO", .string("NO")), ("on", .string("on")),
        ("off", .string("off")), ("y", .string("y")), ("n", .string("n")), ("nULL", .string("nULL")),
        ("tRUE", .string("tRUE")),
        ("0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("+8", .int(8)), ("0644", .int(644)),
        ("0o17", .int(15)), ("0x1F", .int(31)), ("0xff", .int(255)), ("0o8", .string("0o8")),
        ("0xG", .string("0xG")), ("0o", .string("0o")), ("-0x1", .string("-0x1")), ("1_000", .string("1_000")),
        ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
        ("9223372036854775808", .float(9_223_372_036_854_775_808)), ("0x10000000000000000", .float(0x1p64)),
        ("1.5", .float(1.5)), ("-1.5", .float(-1.5)), (".5", .float(0.5)), ("5.", .float(5)),
        ("1e3", .float(1000)), ("1.5E-2", .float(0.015)), ("+12.5e+1", .float(125)),
        ("1e", .string("1e")), (".", .string(".")), ("+", .string("+")), ("--1", .string("--1")),
        ("1.2.3", .string("1.2.3")),
        (".inf", .float(.infinity)), (".Inf", .float(.infinity)), (".INF", .float(.infinity)),
        ("+.inf", .float(.infinity)), ("-.Inf", .float(-.infinity)), ("-.INF", .float(-.infinity)),
        (".iNf", .string(".iNf")), ("inf", .string("inf")), ("nan", .string("nan")),
        ("12:30", .string("12:30")), ("2001-12-14", .string("2001-12-14")), ("0.1.2", .string("0.1.2")),
    ]

    @Test(arguments: table)
    func plainScalarResolvesUnderTheCoreSchema(text: String, expected: ScalarValue) throws {
        let root = try document("key: \(text)\n")
        let scalar = try #require(root["key"]?.scalar)
        #expect(scalar.value == expected)
        #expect(scalar.text == text)
        #expect(scalar.style == .plain)
    }

    @Test(arguments: [".nan", ".NaN", ".NAN"])
    func notANumberSpellingsResolveToNaN(text: String) throws {
        let root = try document("key: \(text)\n")
        guard case .float(let value) = root["key"]?.value else {
            Issue.record("\(text) did not resolve to a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func plainEmptyValueIsNull() throws {
        let root = try document("key:\nother: ~\n")
        #expect(root["key"]?.value == .null)
        #expect(root["other"]?.value == .null)
    }
}
