import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// The agent's threads are chainbot's own (main.swift installs `DefaultExecutor`, issue 15): no
/// libdispatch worker pool, whose threads are named after its root queues (`…default-qos`,
/// `…-qos.overcommit`) and whose monitor thread wakes the process every second.
@Suite struct AgentThreadsTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// Thread id → name of every thread of `pid`.
    static func threads(_ pid: Int32) -> [Int: String] {
        var names: [Int: String] = [:]
        guard let directory = opendir("/proc/\(pid)/task") else { return names }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let id = Int(tid), let comm = Fixtures.readText("/proc/\(pid)/task/\(tid)/comm") else { continue }
            names[id] = comm.split(separator: "\n").first.map(String.init) ?? ""
        }
        return names
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func afterItsPassesAndRequestsEveryThreadButMainIsOneOfChainbotsOwn() async throws {
        let work = TemporaryDirectory("chainbot-agent-threads")
        mkdir(work.file("out"), 0o755)
        let documents = (1...10).map { index in
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: file-\(index)}
            spec: {path: \(work.file("out/file-\(index)")), content: "value \(index)\\n"}
            """
        }
        let manifest = work.write("m.yaml", documents.joined(separator: "\n---\n"))
        let state = work.file("state.db")
        let agent = try DetachedProcess.launch(
            Self.binary, ["agent", "-f", manifest, "--state", state, "--listen", "off", "--resync", "1s"],
            logPath: work.file("agent.log"))
        defer { agent.stop() }
        // Three passes, each with sleeps, file watches and a state write: every kind of job has run.
        var stamp: String?
        for _ in 1...3 {
            stamp = try await AgentMallocArenaTests.nextPass(state, after: stamp)
            try #require(stamp != nil, "no agent pass within 120 s: \(Fixtures.readText(work.file("agent.log")) ?? "")")
        }
        let threads = Self.threads(agent.pid)
        #expect(threads[Int(agent.pid)] == "chainbot")
        let foreign = threads.filter { $0.key != Int(agent.pid) && !$0.value.hasPrefix("cb-") }
        #expect(foreign.isEmpty, "threads not chainbot's own: \(foreign.values.sorted())")
        #expect(threads.values.contains("cb-worker"), "no worker of chainbot's pool: \(threads.values.sorted())")
        #expect(threads.values.contains("cb-timer"), "no timer thread of chainbot's pool: \(threads.values.sorted())")
    }
}
