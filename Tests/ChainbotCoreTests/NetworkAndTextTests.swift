import ChainbotCore
import Testing

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("10.42.69.208", "10.42.69.208"), ("::", "::"), ("::1", "::1"), ("FE80:0:0:0:0:0:0:1", "fe80::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:10.0.0.1", "::ffff:a00:1"), ("0.0.0.0", "0.0.0.0"),
    ])
    func parsesAndPrintsCanonically(_ text: String, _ canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
    }

    @Test(arguments: [
        "", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", ":::", "12345::", "1.2.3.4/8",
    ])
    func rejectsMalformedAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func knowsWildcardAndLoopback() throws {
        #expect(try #require(IPAddress("0.0.0.0")).isUnspecified)
        #expect(try #require(IPAddress("127.0.0.53")).isLoopback)
        #expect(try #require(IPAddress("::1")).isLoopback)
        #expect(try !#require(IPAddress("10.0.0.1")).isLoopback)
    }

    @Test func networksContainTheirSubnets() throws {
        let lan = try #require(CIDR("10.42.69.0/24"))
        #expect(lan.contains(try #require(CIDR("10.42.69.208"))))
        #expect(lan.contains(try #require(CIDR("10.42.69.128/25"))))
        #expect(!lan.contains(try #require(CIDR("10.42.0.0/16"))))
        #expect(!lan.contains(try #require(CIDR("fd00::/8"))))
        #expect(try #require(CIDR("0.0.0.0/0")).contains(lan))
        #expect(try !#require(CIDR("10.42.69.208/24")).isNetworkAddress)
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("fd00::/129") == nil)
    }
}

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", 250), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000), ("0s", 0),
    ])
    func parsesUnits(_ text: String, _ milliseconds: Int64) {
        #expect(DurationText.parse(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "5", "s", "5 minutes", "1.5h", "-3s", "10x", "99999999999h"])
    func rejectsMalformedDurations(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formatsTheShortestRoundTrippingText() {
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.milliseconds(1500)) == "1s500ms")
        #expect(DurationText.format(.zero) == "0s")
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsTheClosestPlausibleWord() {
        #expect(Suggestion.closest(to: "enabeld", in: ["enabled", "exec", "state"]) == "enabled")
        #expect(Suggestion.closest(to: "Sevice", in: ["Service", "Port"]) == "Service")
        #expect(Suggestion.closest(to: "xyz", in: ["enabled", "exec"]) == nil)
    }
}

/// ISO-8601 UTC from milliseconds, without the C library: checked against Python's datetime.
@Suite struct TimestampISOTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (1_709_251_199_999, "2024-02-29T23:59:59Z"),
        (1_796_202_000_000, "2026-12-02T09:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00Z"),
    ])
    func formatsUTC(milliseconds: Int64, expected: String) {
        #expect(Timestamp(millisecondsSinceEpoch: milliseconds).iso8601 == expected)
    }
}
