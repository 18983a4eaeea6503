import Testing

@testable import ChainbotEngine

/// The work queue's promises: fair order, one at a time per key, re-adds coalesce, delays and backoff.
@Suite struct WorkQueueTests {
    let start = ContinuousClock.now

    @Test func keysComeOutInArrivalOrderOnceEach() {
        var queue = WorkQueue<String>()
        for key in ["b", "a", "b", "c", "a"] { queue.add(key) }
        #expect(queue.take(now: start) == ["b", "a", "c"])
        #expect(queue.take(now: start).isEmpty)
    }

    @Test func aKeyAddedWhileProcessingRunsAgainOnceWhenDone() {
        var queue = WorkQueue<String>()
        queue.add("web")
        #expect(queue.take(now: start) == ["web"])
        queue.add("web")
        queue.add("web")
        #expect(queue.take(now: start).isEmpty, "never handed out twice at once")
        queue.done("web")
        #expect(queue.take(now: start) == ["web"])
        queue.done("web")
        #expect(queue.take(now: start).isEmpty)
    }

    @Test func delayedKeysWaitForTheirInstantAndTheEarlierRequestWins() {
        var queue = WorkQueue<String>()
        queue.add("a", at: start + .seconds(10))
        queue.add("a", at: start + .seconds(5))
        queue.add("a", at: start + .seconds(20))
        #expect(queue.nextDeadline == start + .seconds(5))
        #expect(queue.take(now: start + .seconds(4)).isEmpty)
        #expect(queue.take(now: start + .seconds(5)) == ["a"])
        #expect(queue.nextDeadline == nil)
    }

    @Test func addingNowCancelsAWait() {
        var queue = WorkQueue<String>()
        queue.add("a", at: start + .seconds(60))
        queue.add("a")
        #expect(queue.take(now: start) == ["a"])
        queue.done("a")
        #expect(queue.take(now: start + .seconds(61)).isEmpty)
    }

    @Test func backoffDoublesUpToTheMaximumAndResetsOnSuccess() {
        var backoff = Backoff(base: .seconds(1), maximum: .seconds(300), jitter: 0.1)
        let delays = (0..<10).map { _ in backoff.next("Service/web", random: 0) }
        #expect(delays.prefix(4) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(delays.last == .seconds(300))
        #expect(backoff.failureCount("Service/web") == 10)
        backoff.forget("Service/web")
        #expect(backoff.next("Service/web", random: 0) == .seconds(1))
        #expect(backoff.next("Service/other", random: 1) == .milliseconds(1100), "jitter adds up to 10 %")
        #expect(backoff.next("Service/third", random: -1) == .milliseconds(900))
    }
}
