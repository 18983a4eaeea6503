import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// The agent's threads are chainbot's own (main.swift installs `DefaultExecutor`, issue 15): no
/// libdispatch worker pool, whose threads are named after its root queues (`…default-qos`,
/// `…-qos.overcommit`) and whose monitor thread wakes the process every second.
@Suite struct AgentThreadsTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func afterItsPassesAndRequestsEveryThreadButMainIsOneOfChainbotsOwn() async throws {
        let work = TemporaryDirectory("chainbot-agent-threads")
        // Three passes, each with sleeps, file watches and a state write: every kind of job has run.
        let agent = try await AgentMallocArenaTests.agentAfterThreePasses(work, files: 10)
        defer { agent.stop() }
        let threads = ProcessThreads.names(String(agent.pid))
        #expect(threads[Int(agent.pid)] == "chainbot")
        let foreign = threads.filter { $0.key != Int(agent.pid) && !$0.value.hasPrefix("cb-") }
        #expect(foreign.isEmpty, "threads not chainbot's own: \(foreign.values.sorted())")
        #expect(threads.values.contains("cb-worker"), "no worker of chainbot's pool: \(threads.values.sorted())")
        #expect(threads.values.contains("cb-timer"), "no timer thread of chainbot's pool: \(threads.values.sorted())")
    }
}
