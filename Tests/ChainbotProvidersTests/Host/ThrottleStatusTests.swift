import ChainbotCore
import ChainbotProviders
import Testing

struct ThrottleStatusTests {
    @Test(arguments: [
        (0, HostSpec.ThrottleFlag.underVoltage), (1, .frequencyCapped), (2, .throttled), (3, .softTempLimit),
    ])
    func decodesEachNowBitAndItsSinceBootBit(bit: Int, flag: HostSpec.ThrottleFlag) throws {
        let now = try #require(ThrottleStatus(output: "throttled=0x\(String(1 << bit, radix: 16))\n"))
        #expect(now.active == [flag])
        #expect(now.occurred == [])
        let since = try #require(ThrottleStatus(output: "throttled=0x\(String(1 << (bit + 16), radix: 16))"))
        #expect(since.active == [])
        #expect(since.occurred == [flag])
        #expect(now.otherBits == 0 && since.otherBits == 0)
    }

    @Test func decodesNamedBits() throws {
        let status = try #require(ThrottleStatus(output: "throttled=0x50005\n"))
        #expect(status.underVoltage && !status.frequencyCapped && status.throttled && !status.softTempLimit)
        #expect(status.underVoltageOccurred && !status.frequencyCappedOccurred)
        #expect(status.throttledOccurred && !status.softTempLimitOccurred)
        #expect(
            status.description == "0x50005 (now: underVoltage, throttled; since boot: underVoltage, throttled)")
        let all = ThrottleStatus(raw: 0xF_000F)
        #expect(all.active == HostSpec.ThrottleFlag.allCases && all.occurred == HostSpec.ThrottleFlag.allCases)
        #expect(ThrottleStatus(raw: 0).description == "0x0 (now: none; since boot: none)")
    }

    @Test func keepsBitsItDoesNotName() {
        #expect(ThrottleStatus(raw: 0x8_0010).otherBits == 0x10)
    }

    @Test(arguments: ["", "throttled=", "throttled=0xZZ", "temp=48.3'C", "throttled=50005"])
    func rejectsOtherOutput(_ output: String) {
        #expect(ThrottleStatus(output: output) == nil)
    }
}
