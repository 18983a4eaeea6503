import ChainbotTestSupport
import Glibc
import Testing

/// The agent stops on SIGTERM and reloads on SIGHUP, and any command ends on SIGTERM, although whoever
/// started it blocked every signal (a thread of libdispatch's pool does, and posix_spawn passes the mask
/// on): `main` and the agent's signal thread unblock the signals chainbot serves. With libdispatch's
/// `dispatch_main` on the main thread (before issue 15's own executor) its `sigsuspend` took them; a main
/// thread that waits on a semaphore does not.
@Suite struct AgentInheritedSignalMaskTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func anAgentStartedWithEverySignalBlockedStillReloadsOnHupAndStopsOnTerm() async throws {
        let work = TemporaryDirectory("chainbot-agent-mask")
        let manifest = work.write(
            "m.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: one}
            spec: {path: \(work.file("one.conf")), content: "one\\n"}
            """)
        let log = work.file("agent.log")
        let agent = try KillableChild(
            Self.binary,
            ["agent", "-f", manifest, "--state", work.file("state.db"), "--listen", "off", "--resync", "1s"],
            errorFile: log, blockingAllSignals: true)
        let stamp = try await AgentMallocArenaTests.nextPass(work.file("state.db"), after: nil)
        try #require(stamp != nil, "no agent pass within 120 s: \(Fixtures.readText(log) ?? "")")
        agent.signal(SIGHUP)
        let reloaded = try await Poll.within(.seconds(60)) {
            (Fixtures.readText(log) ?? "").contains("SIGHUP: configuration and manifests reloaded")
        }
        #expect(reloaded, "no reload on SIGHUP within 60 s: \(Fixtures.readText(log) ?? "")")
        agent.signal(SIGTERM)
        let status = try await agent.wait(upTo: .seconds(60))
        #expect(status == 0, "the agent did not stop on SIGTERM within 60 s: \(Fixtures.readText(log) ?? "")")
    }

    @Test(.enabled(if: Fixtures.exists(binary), "the chainbot binary is not built at .build/debug/chainbot"))
    func aWaitingCommandStartedWithEverySignalBlockedEndsOnTerm() async throws {
        let work = TemporaryDirectory("chainbot-events-mask")
        let log = work.file("watch.log")
        // `events --watch` waits for a state file that never comes: only a signal ends it.
        let watcher = try KillableChild(
            Self.binary, ["events", "--watch", "--state", work.file("state.db")], errorFile: log,
            blockingAllSignals: true)
        let started = try await Poll.within(.seconds(60)) {
            ProcessThreads.names(String(watcher.pid)).values.contains("cb-worker")
        }
        #expect(started, "the command did not start its workers within 60 s")
        watcher.signal(SIGTERM)
        let status = try await watcher.wait(upTo: .seconds(60))
        #expect(
            status.map { $0 & 0x7f } == SIGTERM, "not ended by SIGTERM within 60 s: \(Fixtures.readText(log) ?? "")")
    }
}
