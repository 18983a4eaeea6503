import ChainbotEngine
import Testing

/// Backoff delays for maximums and jitters no Int64 of milliseconds holds.
struct BackoffLimitTests {
    @Test func aMaximumBeyondInt64MillisecondsWaitsTheMaximumInsteadOfTrapping() {
        let huge = Duration.seconds(Int64.max)
        var backoff = Backoff(base: huge, maximum: huge, jitter: 0.1)

        #expect(backoff.next("a", random: 1) == huge)
        #expect(backoff.next("a", random: -1) == huge)
    }

    @Test func ordinaryDelaysAreUnchanged() {
        var backoff = Backoff(base: .seconds(1), maximum: .seconds(300), jitter: 0.1)

        #expect(backoff.next("a", random: 0) == .seconds(1))
        #expect(backoff.next("a", random: 1) == .milliseconds(2200))
    }
}
