import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// The agent keeps one malloc arena (main.swift's `mallopt(M_ARENA_MAX, 1)`, issue 15): glibc would give
/// its threads arenas of their own, each a 64 MiB reservation keeping freed memory resident.
@Suite struct AgentMallocArenaTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// glibc's thread arenas in `/proc/PID/maps`: an anonymous `rw-p` mapping at a 64 MiB boundary followed by
    /// the `---p` rest of its 64 MiB reservation.
    static func threadArenas(_ pid: Int32) -> [String] {
        let lines = (Fixtures.readText("/proc/\(pid)/maps") ?? "").split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        let megabytes64: UInt64 = 64 << 20
        var arenas: [String] = []
        for (line, next) in zip(lines, lines.dropFirst()) where line.count == 5 && next.count == 5 {
            let range = line[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            let rest = next[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard range.count == 2, rest.count == 2, line[1] == "rw-p", next[1] == "---p" else { continue }
            if range[0] % megabytes64 == 0, rest[0] == range[1], rest[1] == range[0] + megabytes64 {
                arenas.append(line[0])
            }
        }
        return arenas
    }

    /// Waits (up to 120 s: a loaded 2-core machine) for a pass to stamp something other than `after`.
    static func nextPass(_ state: String, after: String?) async throws -> String? {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < deadline {
            if let stamp = AgentIdlePassWritesTests.lastSync(state), stamp != after { return stamp }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// An agent converging `files` ConfigFiles in `work/out`, started and waited for until it has made three
    /// passes (at `--resync 1s`): the threads of its pool have all run work by then.
    static func agentAfterThreePasses(_ work: TemporaryDirectory, files: Int) async throws -> DetachedProcess {
        let documents = (1...files).map { index in
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: file-\(index)}
            spec: {path: \(work.file("out/file-\(index)")), content: "value \(index)\\n"}
            """
        }
        mkdir(work.file("out"), 0o755)
        let manifest = work.write("m.yaml", documents.joined(separator: "\n---\n"))
        let state = work.file("state.db")
        let agent = try DetachedProcess.launch(
            binary, ["agent", "-f", manifest, "--state", state, "--listen", "off", "--resync", "1s"],
            logPath: work.file("agent.log"))
        var stamp: String?
        for _ in 1...3 {
            stamp = try await nextPass(state, after: stamp)
            guard stamp != nil else {
                agent.stop()
                throw PassTimeout(log: Fixtures.readText(work.file("agent.log")) ?? "")
            }
        }
        return agent
    }

    struct PassTimeout: Error, CustomStringConvertible {
        var log: String
        var description: String { "no agent pass within 120 s: \(log)" }
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func anAgentAfterItsFirstPassesHasNoThreadArenas() async throws {
        let work = TemporaryDirectory("chainbot-agent-arenas")
        let agent = try await Self.agentAfterThreePasses(work, files: 20)
        defer { agent.stop() }
        let arenas = Self.threadArenas(agent.pid)
        #expect(arenas.isEmpty, "thread arenas at \(arenas)")
        #expect(Fixtures.readText(work.file("out/file-20")) == "value 20\n")
    }
}
