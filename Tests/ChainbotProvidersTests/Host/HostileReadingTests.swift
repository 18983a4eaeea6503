import Testing

@testable import ChainbotProviders

/// Readings come from /sys, /proc and images (`--root`): a value no Int holds in tenths is shown as written,
/// never a trap.
struct HostileReadingTests {
    @Test(arguments: [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 9.3e17])
    func aMeasurementNoIntHoldsInTenthsIsWrittenAsSwiftWritesIt(value: Double) {
        #expect(HostConditions.decimal(value) == String(value))
    }

    @Test func ordinaryMeasurementsKeepOneDecimal() {
        #expect(HostConditions.decimal(82) == "82.0")
        #expect(HostConditions.decimal(-3.04) == "-3.0")
        #expect(HostConditions.decimal(12.35) == "12.4")
    }
}
