import ChainbotCore
import ChainbotTestSupport
import Testing

@testable import ChainbotCLI

/// Durations from the command line and the endpoint's query have a maximum, like the manifests' (365 days).
struct DurationLimitTests {
    @Test func eventsSinceOverAYearIsAUsageErrorNamingTheLimit() async {
        let directory = TemporaryDirectory("chainbot-duration")
        let state = directory.file("state.db")

        let run = await CLIHarness.run(["events", "--since", "1000000000d", "--state", state])

        #expect(run.status == 64)
        #expect(
            run.stderr.hasPrefix(
                "chainbot events: --since needs a duration up to 365d, such as 30m, 2h or 7d, not '1000000000d'\n"))
        let year = await CLIHarness.run(["events", "--since", "365d", "--state", state])
        #expect(year.status != 64, "\(year.stderr)")
    }

    @Test func theEndpointsSinceIsAtMostAYearBack() {
        let before = Timestamp.now().advanced(by: .seconds(-365 * 86_400))

        let since = AgentEndpoint.since("since=1000000000d")

        #expect(since >= before)
        #expect(since <= Timestamp.now().advanced(by: .seconds(-365 * 86_400)))
        #expect(AgentEndpoint.since("since=1h") >= Timestamp.now().advanced(by: .seconds(-3601)))
    }

    @Test func agentDurationsOverAYearAreAUsageErrorAndCreateNothing() async {
        let directory = TemporaryDirectory("chainbot-duration")
        let state = directory.file("state/state.db")
        for option in ["--resync", "--backoff-base", "--backoff-max"] {
            let run = await CLIHarness.run([
                "agent", "-f", directory.path, "--state", state, "--listen", "off", option, "400d",
            ])
            #expect(run.status == 64, "\(option): \(run.stderr)")
            #expect(run.stderr.contains("\(option) needs a duration of at least"), "\(run.stderr)")
            #expect(run.stderr.contains("and at most 365d"))
        }
    }
}
