import ChainbotAlexOSSimulator
import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// A refused commit's `GitVerifyFailed` as ALEX OS receives it from a real `chainbot agent`: a real
/// repository with ssh-keygen-signed commits, the ALEX OS simulator over loopback HTTP.
@Suite(
    .enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"),
    .enabled(if: Fixtures.exists("/usr/bin/git"), "needs git"),
    .enabled(if: Fixtures.exists("/usr/bin/ssh-keygen"), "needs ssh-keygen"))
struct AgentGitVerifyDeliveryTests {
    static let binary = Fixtures.path(".build/debug/chainbot")

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func received(_ server: AlexOSSimulatorServer, _ type: String) async -> [AlexOSSimulator.ReceivedEvent] {
        await server.simulator.events.filter { $0.eventType == type }
    }

    @Test func aRefusedCommitReachesALEXOSAtOnceAfterThePullThatFoundItAndOnlyOnceWhilePullsRepeatIt() async throws {
        let world = try await GitFleetRepository()
        let server = try AlexOSSimulatorServer()
        defer { Task { await server.stop(grace: .milliseconds(100)) } }
        let signers = world.directory.write("allowed_signers", try await world.key("good"))
        let target = world.directory.file("note.txt")
        try await world.push("first", target: target, signedBy: "good")
        let pi = try await world.clone("pi")
        // The resync is an hour away and the health report (every 60 s) is sent just after the first pass:
        // without a delivery of its own, the refusal would wait for the next health report.
        let config = world.directory.write(
            "pi.yaml",
            """
            filename: [\(pi)/manifests]
            state: \(world.directory.file("state.db"))
            resync: 1h
            alexos-url: \(server.baseURL)
            git-pull: 1s
            git-verify: true
            git-allowed-signers: \(signers)
            """)
        let agent = try DetachedProcess.launch(
            "/usr/bin/env",
            world.environment.map { "\($0.key)=\($0.value)" }.sorted()
                + [Self.binary, "agent", "--config", config, "--listen", "off"],
            logPath: world.directory.file("pi.log"))
        defer { agent.stop() }
        let log = { Fixtures.readText(world.directory.file("pi.log")) ?? "" }
        #expect(try await Poll.within(.seconds(120)) { Fixtures.readText(target) == "first\n" }, "\(log())")
        // At start: one health report after the first pass, one from the timer; the next is a minute away.
        #expect(
            try await Poll.within(.seconds(120)) { await Self.received(server, "health_report").count >= 2 },
            "the health reports at start: \(log())")
        let reports = await Self.received(server, "health_report").count

        let bad = try await world.push("tampered", target: target)
        let pushed = Self.now()
        #expect(
            try await Poll.within(.seconds(120)) { await !Self.received(server, "git_verify_failed").isEmpty },
            "\(log())")
        let arrived = Self.now() - pushed
        let laterReports = await Self.received(server, "health_report").count - reports
        // One pull (1 s ± 10 %) and one delivery; the next health report was still a minute away.
        #expect(arrived < 30, "GitVerifyFailed arrived \(arrived) s after the push: \(log())")
        let sequence = await server.simulator.events.map(\.eventType)
        #expect(laterReports == 0, "\(laterReports) health reports arrived before the GitVerifyFailed: \(sequence)")
        let refusal = try #require(await Self.received(server, "git_verify_failed").first)
        #expect(refusal.body["data"]?["message"]?.string?.contains("refused commit \(bad.prefix(12))") == true)

        // Pull after pull the same refusal stays one event: three more fetches, still one webhook.
        let fetched = { AgentGitTrustTests.modified(pi + "/.git/FETCH_HEAD") }
        var fetches = 0
        var last = fetched()
        #expect(
            try await Poll.within(.seconds(120)) {
                if let now = fetched(), now != last {
                    fetches += 1
                    last = now
                }
                return fetches >= 3
            }, "three more pulls: \(log())")
        let refusals = await Self.received(server, "git_verify_failed")
        #expect(refusals.count == 1 && refusals.first?.deliveries == 1, "\(refusals)")
        #expect(Fixtures.readText(target) == "first\n")
    }
}
