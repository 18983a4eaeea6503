import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A real `chainbot agent` with a resync of an hour: a hand edit of a file that lands while the file's
/// own pass is still running (the pass has written the file and waits for a slow ALEX OS) is not taken
/// for the pass's own write. The pass's end gives the file one more look, which heals it.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct AgentHandChangeDuringPassTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    @Test func aHandEditWhileTheFilesOwnPassStillRunsIsHealedWithoutWaitingForTheResync() async throws {
        let directory = TemporaryDirectory("chainbot-during-pass")
        let server = try AlexOSSimulatorServer()
        defer { Task { await server.stop(grace: .milliseconds(100)) } }
        // The first registration waits 9 s (the agent gives ALEX OS 10): the first pass writes the file, then
        // waits for its Agent, long enough for this test to see the file and edit it on a loaded machine.
        await server.simulator.inject(
            Fault(.delay, pathPrefix: "/api/agents", method: .post, count: 1, delay: .seconds(9)))
        let file = directory.file("app.conf")
        _ = directory.write(
            "manifests/all.yaml",
            """
            apiVersion: chainbot.dev/v1
            kind: ConfigFile
            metadata: {name: app}
            spec: {path: \(file), content: "desired\\n"}
            ---
            apiVersion: chainbot.dev/v1
            kind: Agent
            metadata: {name: slow-agent}
            spec: {version: "1.0.0", capabilities: [chat]}
            """)
        let config = directory.write(
            "config.yaml",
            """
            filename: [\(directory.file("manifests"))]
            state: \(directory.file("state.db"))
            resync: 1h
            listen: "off"
            alexos-url: \(server.baseURL)

            """)
        let agent = try DetachedProcess.launch(
            Self.binary, ["agent", "--config", config], logPath: directory.file("agent.log"))
        defer { agent.stop() }
        let log = { Fixtures.readText(directory.file("agent.log")) ?? "" }
        let registered = { await !server.simulator.agents.isEmpty }

        // The hand edit is made on a thread of its own, at once when the pass has written the file: a task
        // of this test could wait seconds for a thread of a pool that other suites keep busy.
        let edit = await Self.editWhenWritten(file, log: directory.file("agent.log"))
        try #require(edit.written, "the first pass did not write the file: \(log())")
        try #require(edit.replaced, "the hand edit could not be made")
        // The agent logs "synced 2: …" when the pass ends: it had not when the edit was made.
        try #require(!edit.passEnded, "the pass ended before the hand edit could come during it: \(log())")

        let healed = try await Poll.within(.seconds(120)) { Fixtures.readText(file) == "desired\n" }
        #expect(healed, "the hand edit made during the file's own pass waits for the resync: \(log())")
        #expect(try await Poll.within(.seconds(120)) { await registered() }, "\(log())")
    }

    /// Waits (polling every 2 ms, at most 120 s) on a new thread until `file` holds the desired text, then
    /// replaces it by hand in one rename and reads `log` once: whether the pass's "synced" line was there.
    static func editWhenWritten(_ file: String, log: String) async -> (written: Bool, replaced: Bool, passEnded: Bool) {
        await withCheckedContinuation { continuation in
            do {
                try DetachedThread.start {
                    let deadline = ContinuousClock.now + .seconds(120)
                    var written = false
                    while !written && ContinuousClock.now < deadline {
                        written = Fixtures.readText(file) == "desired\n"
                        if !written { usleep(2000) }
                    }
                    guard written else { return continuation.resume(returning: (false, false, false)) }
                    let replaced =
                        Fixtures.write(file + ".hand", "edited by hand\n") && rename(file + ".hand", file) == 0
                    let ended = (Fixtures.readText(log) ?? "").contains("synced ")
                    continuation.resume(returning: (true, replaced, ended))
                }
            } catch {
                continuation.resume(returning: (false, false, false))
            }
        }
    }
}
