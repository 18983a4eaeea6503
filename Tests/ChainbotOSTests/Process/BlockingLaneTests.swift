import ChainbotOS
import Glibc
import Testing

/// `BlockingLane`: every call runs on the one thread the lane started, none on the caller's, and many
/// callers at once all get their own result.
@Suite struct BlockingLaneTests {
    @Test func everyCallRunsOnTheLanesOneThreadAndEachCallerGetsItsResult() async {
        let lane = BlockingLane()
        let caller = pthread_self()
        let threads = await withTaskGroup(of: (Int, pthread_t).self) { group in
            for index in 0..<64 {
                group.addTask {
                    await lane.run { (index, pthread_self()) }
                }
            }
            var seen: [Int: pthread_t] = [:]
            for await (index, thread) in group { seen[index] = thread }
            return seen
        }
        #expect(threads.count == 64)
        #expect(Set(threads.values).count == 1)
        #expect(threads.values.first != caller)
        let later = await lane.run { pthread_self() }
        #expect(later == threads.values.first)
    }
}
